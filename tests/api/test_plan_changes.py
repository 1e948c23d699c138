"""Plan changes and extensions through the API (billing.md "Contract changes", api.md "Additions"): when a
change without `from` takes effect, the history `GET /contracts/<id>` shows, what is refused (422 naming
the field, 409 naming the finalized invoice) with nothing changed, extensions, and `Idempotency-Key`.
The clock stands at 2026-11-15."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from daas.contracts.models import Contract, ContractPlan
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, bill, deploy, finalize_run
from tests.helpers import assert_error, bearer

D = Decimal


def _plan(amount: str, minimum: str | None, **values: Any) -> Any:
    return factories.plan(
        minimum_monthly_amount=None if minimum is None else D(minimum),
        charges=values.pop("charges", [{"kind": "device_monthly", "unit_amount": D(amount)}]),
        **values,
    )


@pytest.fixture
def world(database, today, tokens) -> dict[str, Any]:
    std, pro, lite = _plan("39.00", "500.00"), _plan("49.00", "700.00"), _plan("29.00", "300.00")
    customer = factories.customer()
    contract = factories.contract(customer.id, std.code, date(2026, 1, 1))
    return {
        "contract": contract,
        "customer": customer,
        "std": std.code,
        "pro": pro.code,
        "lite": lite.code,
        "finance": bearer(tokens["finance"]),
        "admin": bearer(tokens["admin"]),
    }


def _change(client, world, headers=None, **body):
    if "from_" in body:
        body["from"] = body.pop("from_")
    return client.post(
        f"/api/v1/contracts/{world['contract'].id}/plan-changes",
        json=body,
        headers=headers or world["finance"],
    )


def _extend(client, world, headers=None, **body):
    return client.post(
        f"/api/v1/contracts/{world['contract'].id}/extend", json=body, headers=headers or world["finance"]
    )


def _plans(client, world) -> list[tuple[str, str, str | None, str | None]]:
    shown = client.get(f"/api/v1/contracts/{world['contract'].id}", headers=world["finance"]).get_json()
    return [(p["plan_code"], p["from"], p["to"], p["minimum_monthly_amount"]) for p in shown["plans"]]


def _stored(world) -> list[tuple[str, date, date | None]]:
    rows = db.session.scalars(
        select(ContractPlan)
        .where(ContractPlan.contract_id == world["contract"].id)
        .order_by(ContractPlan.starts_on)
        .execution_options(populate_existing=True)
    )
    return [(row.plan.code, row.starts_on, row.ends_on) for row in rows]


def _contract_plan(world) -> str:
    return db.session.scalar(
        select(Contract).where(Contract.id == world["contract"].id).execution_options(populate_existing=True)
    ).plan.code


def test_a_new_contract_has_its_plan_from_its_start(client, world):
    shown = client.get(f"/api/v1/contracts/{world['contract'].id}", headers=world["finance"]).get_json()
    assert shown["plan_code"] == world["std"]
    assert shown["plans"] == [
        {"plan_code": world["std"], "from": "2026-01-01", "to": None, "minimum_monthly_amount": None}
    ]
    [row] = db.session.scalars(select(ContractPlan).where(ContractPlan.contract_id == world["contract"].id))
    assert row.created_by == "daas"


def test_an_upgrade_without_from_takes_effect_today(client, world):
    response = _change(client, world, plan_code=world["pro"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["plan_code"], body["effective_minimum_monthly_amount"]) == (world["pro"], "700.00")
    assert [(p["plan_code"], p["from"], p["to"]) for p in body["plans"]] == [
        (world["std"], "2026-01-01", "2026-11-15"),
        (world["pro"], "2026-11-15", None),
    ]
    row = db.session.scalar(
        select(ContractPlan).where(
            ContractPlan.contract_id == world["contract"].id, ContractPlan.ends_on.is_(None)
        )
    )
    assert row.created_by.startswith("finance")


def test_a_downgrade_without_from_takes_effect_on_the_1st_of_next_month(client, world):
    response = _change(client, world, plan_code=world["lite"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # Today the contract is still on its plan; the contract's plan is the one it is moving to.
    assert (body["plan_code"], body["effective_minimum_monthly_amount"]) == (world["std"], "500.00")
    assert _plans(client, world) == [
        (world["std"], "2026-01-01", "2026-12-01", None),
        (world["lite"], "2026-12-01", None, None),
    ]
    assert _contract_plan(world) == world["lite"]


def test_a_cheaper_minimum_makes_a_change_a_downgrade(client, world):
    # The same device amount, a lower minimum (the change's own): not an upgrade, so next month.
    response = _change(client, world, plan_code=world["pro"], minimum_monthly_amount="400.00")
    assert response.status_code == 201, response.get_json()
    assert _plans(client, world)[-1] == (world["pro"], "2026-12-01", None, "400.00")


def test_a_later_change_supersedes_the_one_scheduled(client, world):
    assert _change(client, world, plan_code=world["lite"]).status_code == 201  # from 2026-12-01
    assert _change(client, world, plan_code=world["pro"]).status_code == 201  # an upgrade: today
    assert _stored(world) == [
        (world["std"], date(2026, 1, 1), date(2026, 11, 15)),
        (world["pro"], date(2026, 11, 15), None),
    ]
    assert _contract_plan(world) == world["pro"]


def test_a_change_on_the_day_a_plan_starts_replaces_it(client, world):
    assert _change(client, world, plan_code=world["lite"], from_="2026-12-01").status_code == 201
    assert _change(client, world, plan_code=world["pro"], from_="2026-12-01").status_code == 201
    assert _stored(world) == [
        (world["std"], date(2026, 1, 1), date(2026, 12, 1)),
        (world["pro"], date(2026, 12, 1), None),
    ]


def test_finance_may_backdate_a_change_within_a_month_not_invoiced(client, world):
    response = _change(client, world, plan_code=world["pro"], from_="2026-11-03")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["plan_code"] == world["pro"]
    assert _stored(world)[-1] == (world["pro"], date(2026, 11, 3), None)


def test_the_same_plan_needs_a_new_minimum(client, world):
    body = assert_error(_change(client, world, plan_code=world["std"], from_="2026-12-01"), 422, "plan_code")
    assert "already" in body["message"]
    response = _change(
        client, world, plan_code=world["std"], from_="2026-12-01", minimum_monthly_amount="650.00"
    )
    assert response.status_code == 201, response.get_json()
    assert _plans(client, world) == [
        (world["std"], "2026-01-01", "2026-12-01", None),
        (world["std"], "2026-12-01", None, "650.00"),
    ]


def test_bad_changes_are_refused_naming_the_field_and_change_nothing(client, world):
    dollars = factories.plan(currency="USD")
    cases = [
        ({"plan_code": dollars.code}, "plan_code", "bills in USD"),
        ({"plan_code": "no-such-plan"}, "plan_code", "Unknown plan"),
        ({"plan_code": world["pro"], "from_": "2025-12-31"}, "from", "from 2026-01-01"),
        ({"plan_code": world["pro"], "from_": "2029-01-01"}, "from", "before 2029-01-01"),
        ({"plan_code": world["pro"], "from_": "2026-13-01"}, "from", ""),
        ({"plan_code": world["pro"], "minimum_monthly_amount": "1.234"}, "minimum_monthly_amount", ""),
        ({"plan_code": world["pro"], "minimum_monthly_amount": "-1.00"}, "minimum_monthly_amount", ""),
        ({"plan_code": world["pro"], "months": 3}, "months", ""),
        ({}, "plan_code", ""),
    ]
    for body, field, words in cases:
        refused = assert_error(_change(client, world, **body), 422, field)
        assert words in refused["message"] or words in str(refused["errors"]), (body, refused)
    assert _stored(world) == [(world["std"], date(2026, 1, 1), None)]
    assert (
        client.post(
            "/api/v1/contracts/999999/plan-changes",
            json={"plan_code": world["pro"]},
            headers=world["finance"],
        ).status_code
        == 404
    )


def test_a_plan_that_cannot_bill_a_deployed_device_is_refused(client, world):
    laptop, other = factories.device_model(sku="LAT-5440"), factories.device_model()
    monitors_only = factories.plan(
        charges=[{"kind": "device_monthly", "unit_amount": D("9.00"), "device_model_sku": other.sku}]
    )
    deploy(world["contract"], date(2026, 9, 1), sku=laptop.sku)
    body = assert_error(
        _change(client, world, plan_code=monitors_only.code, from_="2026-12-01"), 422, "plan_code"
    )
    assert "LAT-5440" in body["message"]


def test_a_day_in_a_month_whose_invoice_is_finalized_is_a_409_naming_it(client, world):
    deploy(world["contract"], date(2026, 9, 1))
    finalize_run(bill(OCTOBER).id)
    body = assert_error(_change(client, world, plan_code=world["pro"], from_="2026-10-20"), 409, "from")
    assert "INV-2026-000001" in body["message"] and "2026-10" in body["message"]
    assert body["errors"]["from"] == ["Invoice INV-2026-000001 (2026-10) is finalized."]
    assert _stored(world) == [(world["std"], date(2026, 1, 1), None)]
    # The next month is not invoiced yet: a change from its first day stands.
    assert _change(client, world, plan_code=world["pro"], from_="2026-11-01").status_code == 201


def test_the_contract_shows_the_plan_in_force_today_to_its_customer(client, world):
    assert _change(client, world, plan_code=world["lite"]).status_code == 201
    customer = bearer(factories.token("customer", world["customer"].id))
    shown = client.get(f"/api/v1/contracts/{world['contract'].id}", headers=customer).get_json()
    assert shown["plan_code"] == world["std"]
    assert [p["plan_code"] for p in shown["plans"]] == [world["std"], world["lite"]]
    [listed] = client.get("/api/v1/contracts", headers=customer).get_json()
    assert listed["plans"] == shown["plans"]


def test_extending_moves_the_end_and_may_change_the_plan_from_the_old_end(client, world):
    response = _extend(client, world, months=12)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["end_date"], response.get_json()["plan_code"]) == ("2030-01-01", world["std"])
    assert _stored(world) == [(world["std"], date(2026, 1, 1), None)]

    response = _extend(client, world, months=6, plan_code=world["lite"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["end_date"] == "2030-07-01"
    assert _plans(client, world) == [
        (world["std"], "2026-01-01", "2030-01-01", None),
        (world["lite"], "2030-01-01", None, None),
    ]


def test_an_extension_is_refused_for_bad_months_and_a_terminated_contract(client, world):
    for months in (0, 121, "12"):
        assert_error(_extend(client, world, months=months), 422, "months")
    assert_error(_extend(client, world, months=12, plan_code="no-such-plan"), 422, "plan_code")
    assert (
        client.get(f"/api/v1/contracts/{world['contract'].id}", headers=world["finance"]).get_json()[
            "end_date"
        ]
        == "2029-01-01"
    )  # the refused plan change took the extension with it
    terminated = client.post(
        f"/api/v1/contracts/{world['contract'].id}/terminate?confirm=true",
        json={"end_date": "2026-11-20"},
        headers=world["admin"],
    )
    assert terminated.status_code == 200, terminated.get_json()
    body = assert_error(_extend(client, world, months=12), 409, "status")
    assert "terminated on 2026-11-20" in body["message"]


def test_terminating_drops_a_change_that_would_start_after_the_new_end(client, world):
    assert _change(client, world, plan_code=world["lite"]).status_code == 201  # from 2026-12-01
    terminated = client.post(
        f"/api/v1/contracts/{world['contract'].id}/terminate?confirm=true",
        json={"end_date": "2026-11-20"},
        headers=world["admin"],
    )
    assert terminated.status_code == 200, terminated.get_json()
    assert _stored(world) == [(world["std"], date(2026, 1, 1), None)]
    assert _contract_plan(world) == world["std"]


def test_a_replayed_plan_change_or_extension_does_nothing_again(client, world):
    headers = {**world["finance"], "Idempotency-Key": "change-1"}
    first = _change(client, world, headers, plan_code=world["pro"])
    again = _change(client, world, headers, plan_code=world["pro"])
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert len(_stored(world)) == 2
    assert_error(_change(client, world, headers, plan_code=world["lite"]), 422, "Idempotency-Key")

    headers = {**world["finance"], "Idempotency-Key": "extend-1"}
    first, again = _extend(client, world, headers, months=12), _extend(client, world, headers, months=12)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (
        client.get(f"/api/v1/contracts/{world['contract'].id}", headers=world["finance"]).get_json()[
            "end_date"
        ]
        == "2030-01-01"
    )
