"""The end of a subscription on the customer portal (Flask test client): in its last 90 days the
subscription page shows each device with its choice and buy-out quote, and a form per device to return,
keep or buy it; a buy-out confirms the quoted price; a bought-out device's choice is final."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from daas.charges.models import OneOffCharge
from daas.contracts.models import Contract
from daas.core import clock
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics.models import BuyOutQuote, ReturnOrder
from tests.end_of_term_helpers import END, TODAY, fleet
from tests.web.helpers import hidden_fields, signed_in


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"</?time[^>]*>", "", response.get_data(as_text=True))))


@pytest.fixture
def frozen():
    with clock.frozen(TODAY):
        yield TODAY


@pytest.fixture
def made(database, frozen):
    return fleet(devices=2)


@pytest.fixture
def portal(app, made):
    client, _ = signed_in(app, "customer", made.customer.id)
    return client


def _page(made) -> str:
    return f"/portal/subscriptions/{made.contract.id}"


def _action(made, serial: str) -> str:
    return f"/portal/subscriptions/{made.contract.id}/end-of-term/{serial}"


def _field(serial: str, name: str) -> str:
    return f"eot-{serial}-{name}"


def test_the_page_shows_each_device_with_its_quote_and_a_form(portal, made):
    page = portal.get(_page(made))
    assert page.status_code == 200
    text = text_of(page)
    assert "End of term" in text and "The subscription ends on 2027-03-01." in text
    assert "312.50 EUR" in text and "valid until 2027-03-12" in text
    assert "Buy it for 312.50 EUR excl. VAT (quote valid until 2027-03-12)" in text
    assert "Keep it: the subscription is extended by 12 months" in text
    for serial in made.serials:
        fields = hidden_fields(page, _action(made, serial))
        quote = db.session.scalar(
            select(BuyOutQuote.id)
            .join(Device, Device.id == BuyOutQuote.device_id)
            .where(Device.serial == serial)
        )
        assert fields[_field(serial, "quote_id")] == str(quote)


def test_the_section_waits_for_the_last_90_days(app, database):
    with clock.frozen(date(2026, 11, 15)):
        made = fleet(devices=1)
        client, _ = signed_in(app, "customer", made.customer.id)
        assert "End of term" not in text_of(client.get(_page(made)))
    assert db.session.scalar(select(func.count()).where(BuyOutQuote.contract_id == made.contract.id)) == 0


def test_a_buy_out_confirms_the_quoted_price(portal, made):
    serial = made.serials[0]
    fields = hidden_fields(portal.get(_page(made)), _action(made, serial))
    refused = portal.post(_action(made, serial), data={**fields, _field(serial, "choice"): "buy_out"})
    assert refused.status_code == 422
    assert "Tick this to buy the device at its quoted price." in text_of(refused)
    assert db.session.scalar(select(func.count()).where(OneOffCharge.contract_id == made.contract.id)) == 0

    done = portal.post(
        _action(made, serial),
        data={**fields, _field(serial, "choice"): "buy_out", _field(serial, "confirm"): "y"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    text = text_of(done)
    assert f"Device {serial} is yours: the buy-out comes on your next invoice." in text
    assert "Bought on 2027-02-10" in text and "Yours: the buy-out is on your invoice." in text
    charge = db.session.scalar(select(OneOffCharge).where(OneOffCharge.contract_id == made.contract.id))
    assert (charge.kind, str(charge.amount), charge.status) == ("buy_out", "312.50", "pending")
    assert "Buy-out of" in text_of(done)  # the charge to come, listed with the others
    with pytest.raises(AssertionError, match="no form"):
        hidden_fields(done, _action(made, serial))  # final


def test_keeping_a_device_extends_the_subscription_and_the_other_is_collected(portal, made):
    kept, other = made.serials
    fields = hidden_fields(portal.get(_page(made)), _action(made, kept))
    done = portal.post(
        _action(made, kept), data={**fields, _field(kept, "choice"): "extend"}, follow_redirects=True
    )
    assert done.status_code == 200
    text = text_of(done)
    assert f"Device {kept} stays: the subscription is extended." in text
    assert "the subscription now runs until 2028-03-01" in text
    assert db.session.get(Contract, made.contract.id).end_date == date(2028, 3, 1)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    assert f"{other} Latitude 5430 Return " in words, words
    # Changed back until the end date: the device is collected too.
    fields = hidden_fields(done, _action(made, kept))
    back = portal.post(
        _action(made, kept), data={**fields, _field(kept, "choice"): "return"}, follow_redirects=True
    )
    assert f"Device {kept} will be collected at the end of the subscription." in text_of(back)
    assert db.session.scalar(select(Device.status).where(Device.serial == kept)) == "return_scheduled"
    orders = db.session.scalars(select(ReturnOrder).where(ReturnOrder.contract_id == made.contract.id)).all()
    assert {(order.requested_date, order.status) for order in orders} == {(END, "scheduled")}


def test_a_choice_is_needed_and_another_customer_s_subscription_is_not_found(app, portal, made):
    serial = made.serials[0]
    fields = hidden_fields(portal.get(_page(made)), _action(made, serial))
    refused = portal.post(_action(made, serial), data=fields)
    assert refused.status_code == 422 and "Choose what happens to the device." in text_of(refused)
    other = fleet(devices=1)
    foreign = portal.post(
        _action(other, other.serials[0]), data={**fields, _field(other.serials[0], "choice"): "return"}
    )
    assert foreign.status_code == 404
    assert db.session.scalar(select(Device.status).where(Device.serial == other.serials[0])) == "deployed"
