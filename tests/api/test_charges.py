"""The one-off charges API: adding a charge (201, its key sent again: 200 with the same fields, 409 with
others), refusals naming the field, who may read and move charges, every move and every illegal move
(409 naming the state), and the Idempotency-Key header on the moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.charges.models import OneOffCharge
from daas.extensions import db
from tests import factories
from tests.charge_helpers import contract_with_a_device, propose
from tests.helpers import assert_error, bearer

BODY = {
    "kind": "shipping",
    "amount": "45.50",
    "description": "Express courier for a replacement",
    "on": "2026-10-20",
    "idempotency_key": "courier-2026-10-20",
}


@pytest.fixture
def world(database, today):
    customer = factories.customer(name="Acme")
    contract, device = contract_with_a_device(customer.id)
    other_contract, _ = contract_with_a_device()
    headers = {
        "customer": bearer(factories.token("customer", customer.id)),
        "other": bearer(factories.token("customer", other_contract.customer_id)),
        **{role: bearer(factories.token(role)) for role in ("admin", "finance", "logistics")},
    }
    db.session.commit()
    return {"contract": contract, "device": device, "other": other_contract, "headers": headers}


def _add(client, world, body=None, who="finance", contract=None, **headers):
    contract = contract or world["contract"]
    return client.post(
        f"/api/v1/contracts/{contract.id}/charges",
        json=body or BODY,
        headers={**world["headers"][who], **headers},
    )


def _move(client, world, charge_id, move, body=None, who="finance", **headers):
    return client.post(
        f"/api/v1/charges/{charge_id}/{move}", json=body or {}, headers={**world["headers"][who], **headers}
    )


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(OneOffCharge))


def test_finance_adds_a_pending_charge_and_reads_it_back(client, world):
    response = _add(client, world, {**BODY, "device_serial": world["device"].serial})
    assert response.status_code == 201, response.get_json()
    charge = response.get_json()
    assert {key: charge[key] for key in BODY} | {"device_serial": charge["device_serial"]} == {
        **BODY,
        "device_serial": world["device"].serial,
    }
    assert (charge["contract_id"], charge["currency"], charge["status"]) == (
        world["contract"].id,
        "EUR",
        "pending",
    )
    assert [charge[k] for k in ("invoice_id", "invoice_number", "credit_note_id", "dispute_reason")] == [
        None
    ] * 4
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in charge["events"]] == [
        (None, "pending", charge["created_by"])
    ]
    shown = client.get(f"/api/v1/charges/{charge['id']}", headers=world["headers"]["customer"])
    assert shown.status_code == 200 and shown.get_json() == charge
    listed = client.get(
        f"/api/v1/contracts/{world['contract'].id}/charges", headers=world["headers"]["customer"]
    )
    assert listed.status_code == 200 and listed.get_json() == [charge]
    assert listed.headers["X-Pagination"]


def test_the_day_is_today_unless_given(client, world, today):
    body = {key: value for key, value in BODY.items() if key != "on"}
    response = _add(client, world, body, who="admin")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["on"] == today.isoformat()


def test_the_same_key_with_the_same_fields_answers_the_stored_charge(client, world):
    first = _add(client, world)
    assert first.status_code == 201
    again = _add(client, world)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    # Without `on` the charge is the same too: its day was taken when it was added.
    without_day = _add(client, world, {key: value for key, value in BODY.items() if key != "on"})
    assert without_day.status_code == 200 and without_day.get_json()["id"] == first.get_json()["id"]
    assert _stored() == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"amount": "45.51"}, "amount"),
        ({"kind": "setup"}, "kind"),
        ({"description": "Courier"}, "description"),
        ({"on": "2026-10-21"}, "on"),
    ],
)
def test_the_same_key_with_other_fields_is_a_409_naming_them(client, world, change, named):
    assert _add(client, world).status_code == 201
    body = assert_error(_add(client, world, {**BODY, **change}), 409, "idempotency_key")
    assert named in body["message"]
    assert _stored() == 1


def test_the_same_key_on_another_contract_is_another_charge(client, world, database):
    assert _add(client, world).status_code == 201
    elsewhere = _add(client, world, contract=world["other"])
    assert elsewhere.status_code == 201
    assert _stored() == 2


def test_a_device_the_contract_never_had_is_refused(client, world):
    stranger = factories.device()
    db.session.commit()
    body = assert_error(_add(client, world, {**BODY, "device_serial": stranger.serial}), 422, "device_serial")
    assert stranger.serial in body["message"]
    assert _stored() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"kind": "tip"}, "kind"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 501}, "description"),
        ({"on": "2025-12-31"}, "on"),
        ({"on": "20 October"}, "on"),
        ({"idempotency_key": "has spaces"}, "idempotency_key"),
        ({"idempotency_key": "k" * 256}, "idempotency_key"),
        ({"device_serial": "no such/serial"}, "device_serial"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(client, world, change, field):
    assert_error(_add(client, world, {**BODY, **change}), 422, field)
    assert _stored() == 0


@pytest.mark.parametrize("missing", ["kind", "amount", "description", "idempotency_key"])
def test_each_required_field_is_named_when_missing(client, world, missing):
    body = {key: value for key, value in BODY.items() if key != missing}
    assert_error(_add(client, world, body), 422, missing)


def test_amounts_have_the_decimals_of_the_contracts_currency(client, world):
    customer = factories.customer(country="JP", currency="JPY")
    plan = factories.plan(currency="JPY", charges=[{"kind": "device_monthly", "unit_amount": Decimal(5000)}])
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    db.session.commit()
    assert_error(_add(client, world, {**BODY, "amount": "1500.50"}, contract=contract), 422, "amount")
    added = _add(client, world, {**BODY, "amount": "1500"}, contract=contract)
    assert added.status_code == 201, added.get_json()
    assert (added.get_json()["amount"], added.get_json()["currency"]) == ("1500", "JPY")


def test_who_may_add_and_read_charges(client, world):
    contract_id = world["contract"].id
    for who in ("customer", "logistics"):
        assert _add(client, world, who=who).status_code == 403
    charge = _add(client, world).get_json()
    assert (
        client.get(f"/api/v1/charges/{charge['id']}", headers=world["headers"]["logistics"]).status_code
        == 403
    )
    for path in (f"/api/v1/charges/{charge['id']}", f"/api/v1/contracts/{contract_id}/charges"):
        assert client.get(path, headers=world["headers"]["other"]).status_code == 404
        assert client.get(path, headers=world["headers"]["finance"]).status_code == 200
    assert (
        client.get("/api/v1/contracts/999999/charges", headers=world["headers"]["finance"]).status_code == 404
    )
    assert _add(client, world, contract=factories.contract()).status_code == 201  # any contract for finance


def test_the_list_filters_by_state(client, world):
    contract = world["contract"]
    pending = _add(client, world).get_json()
    proposed = propose(contract)
    db.session.commit()
    url = f"/api/v1/contracts/{contract.id}/charges"
    headers = world["headers"]["finance"]
    assert [c["id"] for c in client.get(f"{url}?status=proposed", headers=headers).get_json()] == [
        proposed.id
    ]
    assert [c["id"] for c in client.get(f"{url}?status=pending", headers=headers).get_json()] == [
        pending["id"]
    ]
    assert len(client.get(url, headers=headers).get_json()) == 2
    assert_error(client.get(f"{url}?status=lost", headers=headers), 422, "status")


# -- moves ------------------------------------------------------------------------------------------------


def test_a_proposed_charge_is_approved_then_billed_later(client, world):
    proposed = propose(world["contract"])
    db.session.commit()
    approved = _move(client, world, proposed.id, "approve", {"note": "Photos checked"})
    assert approved.status_code == 200, approved.get_json()
    charge = approved.get_json()
    assert (charge["status"], charge["decision_note"]) == ("pending", "Photos checked")
    assert [(e["from_status"], e["to_status"], e["note"]) for e in charge["events"]] == [
        (None, "proposed", None),
        ("proposed", "pending", "Photos checked"),
    ]
    body = assert_error(_move(client, world, proposed.id, "approve"), 409, "status")
    assert "is pending" in body["message"]


def test_a_proposed_or_pending_charge_is_waived_and_stays_waived(client, world):
    proposed = propose(world["contract"])
    db.session.commit()
    pending = _add(client, world).get_json()
    for charge_id in (proposed.id, pending["id"]):
        waived = _move(client, world, charge_id, "waive", {"note": "Goodwill"})
        assert waived.status_code == 200 and waived.get_json()["status"] == "waived"
    for move, who, body in (
        ("waive", "finance", {}),
        ("approve", "finance", {}),
        ("dispute", "customer", {"reason": "Never ordered"}),
        ("uphold", "finance", {}),
        ("grant", "finance", {}),
    ):
        refused = assert_error(_move(client, world, pending["id"], move, body, who), 409, "status")
        assert "is waived" in refused["message"]


def test_the_customer_disputes_once_and_finance_upholds(client, world):
    pending = _add(client, world).get_json()
    disputed = _move(
        client, world, pending["id"], "dispute", {"reason": "The courier never came"}, "customer"
    )
    assert disputed.status_code == 200, disputed.get_json()
    assert (disputed.get_json()["status"], disputed.get_json()["dispute_reason"]) == (
        "disputed",
        "The courier never came",
    )
    assert_error(_move(client, world, pending["id"], "approve"), 409, "status")
    upheld = _move(client, world, pending["id"], "uphold", {"note": "Tracking shows delivery"})
    assert upheld.status_code == 200 and upheld.get_json()["status"] == "pending"
    again = assert_error(
        _move(client, world, pending["id"], "dispute", {"reason": "Still no"}, "customer"), 409, "status"
    )
    assert "is pending" in again["message"] and "disputed once" in again["message"]
    assert_error(_move(client, world, pending["id"], "uphold"), 409, "status")
    assert_error(_move(client, world, pending["id"], "grant"), 409, "status")


def test_a_granted_dispute_of_an_unbilled_charge_waives_it(client, world):
    proposed = propose(world["contract"])
    db.session.commit()
    assert (
        _move(
            client, world, proposed.id, "dispute", {"reason": "It was cracked before"}, "customer"
        ).status_code
        == 200
    )
    granted = _move(client, world, proposed.id, "grant", {"note": "Delivery photos agree"})
    assert granted.status_code == 200, granted.get_json()
    charge = granted.get_json()
    assert (charge["status"], charge["credit_note_id"]) == ("waived", None)
    assert [e["to_status"] for e in charge["events"]] == ["proposed", "disputed", "waived"]


def test_only_the_customer_of_the_contract_disputes(client, world):
    pending = _add(client, world).get_json()
    reason = {"reason": "No"}
    assert _move(client, world, pending["id"], "dispute", reason, "finance").status_code == 403
    assert _move(client, world, pending["id"], "dispute", reason, "logistics").status_code == 403
    assert_error(_move(client, world, pending["id"], "dispute", reason, "other"), 404)
    assert_error(_move(client, world, pending["id"], "dispute", {}, "customer"), 422, "reason")
    for move in ("approve", "waive", "uphold", "grant"):
        assert _move(client, world, pending["id"], move, {}, "customer").status_code == 403
    assert_error(_move(client, world, 999999, "approve"), 404)


def test_a_move_sent_again_with_its_idempotency_key_replays(client, world):
    pending = _add(client, world).get_json()
    first = _move(client, world, pending["id"], "waive", {"note": "Goodwill"}, **{"Idempotency-Key": "w-1"})
    again = _move(client, world, pending["id"], "waive", {"note": "Goodwill"}, **{"Idempotency-Key": "w-1"})
    assert first.status_code == 200
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    added = _add(client, world, {**BODY, "idempotency_key": "other"}, **{"Idempotency-Key": "add-1"})
    replayed = _add(client, world, {**BODY, "idempotency_key": "other"}, **{"Idempotency-Key": "add-1"})
    assert (added.status_code, replayed.status_code) == (201, 201)
    assert replayed.headers["Idempotent-Replayed"] == "true"


def test_a_move_needs_no_body(client, world):
    proposed = propose(world["contract"])
    db.session.commit()
    response = client.post(f"/api/v1/charges/{proposed.id}/approve", headers=world["headers"]["finance"])
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["decision_note"]) == ("pending", None)
