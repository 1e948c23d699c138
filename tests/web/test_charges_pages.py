"""One-off charges on the pages, with the Flask test client: the customer's subscription page lists the
charges not billed yet and disputes one (reason required), never another customer's; finance's Charges
page lists the proposed and disputed charges with the buttons of their decisions, and the buttons move
them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from daas.charges.models import OneOffCharge
from daas.extensions import db
from daas.usecases.charges import dispute_charge
from tests import factories
from tests.billing_helpers import OCTOBER, bill, finalize_run
from tests.charge_helpers import add, contract_with_a_device, propose
from tests.web.helpers import hidden_fields, signed_in


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _status(charge_id: int) -> str:
    return db.session.scalar(
        select(OneOffCharge.status)
        .where(OneOffCharge.id == charge_id)
        .execution_options(populate_existing=True)
    )


@pytest.fixture
def world(app, database, today):
    customer = factories.customer(name="Acme B.V.")
    contract, device = contract_with_a_device(customer.id)
    billed = add(contract, "30.00", description="Setup of the docking stations")
    finalize_run(bill(OCTOBER).id)  # billed: no longer "to come"
    pending = add(contract, "45.50", description="Express courier")
    proposed = propose(contract, "90.00", description="Cracked screen", device_serial=device.serial)
    other, _ = contract_with_a_device()
    foreign = add(other, "12.00", description="Someone else's courier")
    db.session.commit()
    return {
        "contract": contract,
        "billed": billed,
        "pending": pending,
        "proposed": proposed,
        "other": other,
        "foreign": foreign,
        "customer": customer,
    }


def _page(world) -> str:
    return f"/portal/subscriptions/{world['contract'].id}"


def _dispute_url(world, charge) -> str:
    return f"/portal/subscriptions/{world['contract'].id}/charges/{charge.id}/dispute"


def test_the_subscription_page_lists_the_charges_to_come_with_a_dispute_form(app, world):
    client, _ = signed_in(app, "customer", world["customer"].id)
    page = client.get(_page(world))
    assert page.status_code == 200
    text = text_of(page)
    assert "Charges to come" in text
    assert "Express courier" in text and "45.50 EUR" in text and "pending" in text
    assert "Cracked screen" in text and "90.00 EUR" in text and "proposed" in text
    assert f"device {world['proposed'].device.serial}" in text
    assert "Setup of the docking stations" not in text  # billed already
    assert "Someone else's courier" not in text
    for charge in (world["pending"], world["proposed"]):
        assert hidden_fields(page, _dispute_url(world, charge))


def test_the_customer_disputes_a_charge_from_the_page(app, world):
    client, _ = signed_in(app, "customer", world["customer"].id)
    charge = world["pending"]
    page = client.get(_page(world))
    fields = hidden_fields(page, _dispute_url(world, charge))
    refused = client.post(_dispute_url(world, charge), data={**fields, f"charge-{charge.id}-reason": "  "})
    assert refused.status_code == 422
    assert "Say why you dispute the charge." in text_of(refused)
    assert _status(charge.id) == "pending"

    done = client.post(
        _dispute_url(world, charge),
        data={**fields, f"charge-{charge.id}-reason": "The courier never came"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    text = text_of(done)
    assert f"Charge #{charge.id} is disputed" in text and "Disputed: The courier never came" in text
    assert _status(charge.id) == "disputed"
    with pytest.raises(AssertionError, match="no form"):
        hidden_fields(done, _dispute_url(world, charge))  # a charge is disputed once


def test_another_customers_charge_cannot_be_disputed(app, world):
    client, _ = signed_in(app, "customer", world["customer"].id)
    fields = hidden_fields(client.get(_page(world)), _dispute_url(world, world["pending"]))
    foreign = world["foreign"]
    url = f"/portal/subscriptions/{world['other'].id}/charges/{foreign.id}/dispute"
    response = client.post(url, data={**fields, f"charge-{foreign.id}-reason": "Not ours"})
    assert response.status_code == 404
    assert client.get(f"/portal/subscriptions/{world['other'].id}").status_code == 404
    assert _status(foreign.id) == "pending"


def test_finance_sees_the_charges_to_decide_and_its_buttons_move_them(app, world):
    client, _ = signed_in(app, "finance")
    proposed, disputed = world["proposed"], world["billed"]
    # A billed charge is disputed through the API (the portal lists only charges to come).
    dispute_charge(disputed.id, "Only two docks were set up", "ap@example.com", world["customer"].id)

    page = client.get("/finance/charges")
    assert page.status_code == 200
    text = text_of(page)
    assert "Cracked screen" in text and "Acme B.V." in text and "90.00 EUR" in text
    assert "Disputed: Only two docks were set up" in text and "Billed on INV-" in text
    assert "Express courier" not in text  # pending: nothing to decide
    approve = f"/finance/charges/{proposed.id}/approve"
    grant = f"/finance/charges/{disputed.id}/grant"
    assert hidden_fields(page, f"/finance/charges/{proposed.id}/waive")
    assert hidden_fields(page, f"/finance/charges/{disputed.id}/uphold")

    done = client.post(approve, data=hidden_fields(page, approve), follow_redirects=True)
    assert f"Charge {proposed.id} is approved" in text_of(done)
    assert _status(proposed.id) == "pending"
    done = client.post(grant, data=hidden_fields(page, grant), follow_redirects=True)
    assert f"Charge {disputed.id} is waived: the dispute is granted (credit note" in text_of(done)
    assert _status(disputed.id) == "waived"
    assert "No charge waits for a decision." in text_of(done)
    again = client.post(approve, data=hidden_fields(page, approve), follow_redirects=True)
    assert f"Charge {proposed.id} is pending" in text_of(again)  # the 409's message, flashed


@pytest.mark.parametrize("role", ["logistics", "customer"])
def test_the_charges_page_is_finance_s(app, world, role):
    client, _ = signed_in(app, role, world["customer"].id if role == "customer" else None)
    assert client.get("/finance/charges").status_code == 403
