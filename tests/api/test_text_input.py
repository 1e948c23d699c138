"""Text that cannot be stored is refused at the door, in one place (the JSON parser): a lone surrogate or a
NUL in any string of any body, keys included, at any depth, is a 422 naming the field, and nothing is
stored. A lone surrogate in a usage property used to be stored and then stopped every billing run."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from daas.billing.models import Invoice
from daas.customers.models import Customer
from daas.extensions import db
from daas.pricing.models import Plan
from daas.usage.models import UsageEvent
from tests import factories
from tests.billing_helpers import OCTOBER, bill
from tests.helpers import assert_error, bearer

CUSTOMER = {
    "name": "Acme",
    "country": "NL",
    "currency": "EUR",
    "billing_email": "ap@acme.example",
    "billing_address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam"},
}
SURROGATES = ["\ud800", "user-\udfff", "\udc80\ud800"]


def post_raw(client, url, body, headers):
    """JSON as a client sends it: json.dumps writes a lone surrogate as its escape, "\\ud800"."""
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def metered(database, today):
    """A contract billed per distinct user (a unique_count metric on properties.user) and its customer's
    token."""
    users = factories.metric(code="active_users", aggregation="unique_count", field="user")
    plan = factories.plan(
        charges=[
            {"kind": "device_monthly", "unit_amount": "39.00"},
            {"kind": "metered", "metric": users.code, "model": "per_unit", "unit_amount": "2.00"},
        ]
    )
    customer = factories.customer()
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    return {"contract": contract, "token": bearer(factories.token("customer", customer.id))}


def event(contract, **values):
    return {
        "transaction_id": factories.unique("tx"),
        "contract_id": contract.id,
        "metric": "active_users",
        "timestamp": "2026-10-05T09:00:00Z",
        "properties": {"user": "alice"},
        **values,
    }


@pytest.mark.parametrize("bad", SURROGATES)
def test_a_usage_property_that_cannot_be_stored_is_refused_and_billing_goes_on(client, metered, bad):
    contract = metered["contract"]
    good = event(contract)
    response = post_raw(
        client,
        "/api/v1/usage-events",
        {"events": [good, event(contract, properties={"user": bad})]},
        metered["token"],
    )
    body = assert_error(response, 422, "events.1.properties.user")
    assert "events.1.properties.user" in body["message"]
    assert count(UsageEvent) == 0  # the whole batch, the good event too
    accepted = post_raw(client, "/api/v1/usage-events", {"events": [good]}, metered["token"])
    assert accepted.get_json() == {"accepted": 1, "duplicates": 0}
    run = bill(OCTOBER)
    assert run.status == "completed"
    invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
    assert [(line.kind, str(line.quantity)) for line in invoice.lines if line.kind == "metered"] == [
        ("metered", "1.000000")
    ]


@pytest.mark.parametrize("bad", SURROGATES)
def test_a_property_key_or_a_transaction_id_that_cannot_be_stored_is_refused(client, metered, bad):
    contract = metered["contract"]
    keyed = event(contract, properties={"user": "alice", bad: "x"})
    assert_error(post_raw(client, "/api/v1/usage-events", {"events": [keyed]}, metered["token"]), 422)
    nested = event(contract, properties={"user": "bob", "device": {"tags": ["ok", bad]}})
    assert_error(
        post_raw(client, "/api/v1/usage-events", {"events": [nested]}, metered["token"]),
        422,
        "events.0.properties.device.tags.1",
    )
    refused = post_raw(
        client, "/api/v1/usage-events", {"events": [event(contract, transaction_id=bad)]}, metered["token"]
    )
    assert_error(refused, 422, "events.0.transaction_id")
    assert count(UsageEvent) == 0


@pytest.mark.parametrize("bad", SURROGATES)
def test_every_text_field_of_every_body_is_checked_the_same_way(client, tokens, bad):
    admin = bearer(tokens["admin"])
    customers, plans = count(Customer), count(Plan)
    assert_error(post_raw(client, "/api/v1/customers", {**CUSTOMER, "name": bad}, admin), 422, "name")
    assert_error(
        post_raw(client, "/api/v1/customers", {**CUSTOMER, "pickup_address": bad}, admin),
        422,
        "pickup_address",
    )
    plan = {
        "code": "laptop-std",
        "name": "Laptop",
        "currency": "EUR",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "charges": [{"kind": "metered", "metric": bad, "model": "per_unit", "unit_amount": "1.00"}],
    }
    assert_error(post_raw(client, "/api/v1/plans", plan, admin), 422, "charges.0.metric")
    assert (count(Customer), count(Plan)) == (customers, plans)
    name = "\u200fשלום B.V. \u202e😀 e\u0301"  # right-to-left marks, emoji, combining marks: text like any
    created = post_raw(client, "/api/v1/customers", {**CUSTOMER, "name": name}, admin)
    assert created.status_code == 201, created.get_json()
    assert (
        client.get(f"/api/v1/customers/{created.get_json()['id']}", headers=admin).get_json()["name"] == name
    )


def test_an_unknown_field_whose_name_cannot_be_stored_is_refused_naming_its_object(client, tokens):
    response = post_raw(client, "/api/v1/customers", {**CUSTOMER, "na\udc80me": "x"}, bearer(tokens["admin"]))
    body = assert_error(response, 422, "body")
    assert "surrogates" in body["errors"]["body"][0]
