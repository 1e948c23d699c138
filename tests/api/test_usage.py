"""POST /usage-events: batches stored whole or not at all, exactly once per customer transaction id."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.extensions import db
from daas.usage.models import UsageEvent, UsageRevision
from tests import factories
from tests.helpers import assert_error, bearer


@pytest.fixture
def metered(database, today):
    tickets = factories.metric(code="support_tickets")
    storage = factories.metric(code="storage_gb", aggregation="max")
    users = factories.metric(code="active_users", aggregation="unique_count", field="user")
    plan = factories.plan(
        charges=[
            {"kind": "metered", "metric": "support_tickets", "model": "per_unit", "unit_amount": "15.00"},
        ]
    )
    customer = factories.customer()
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1), end_date=date(2026, 12, 1))
    other = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    return {
        "contract": contract,
        "other": other,
        "token": factories.token("customer", customer.id),
        "tickets": tickets,
        "storage": storage,
        "users": users,
    }


def _event(contract, n=1, **overrides):
    return {
        "transaction_id": f"tx-{n}",
        "contract_id": contract.id,
        "metric": "support_tickets",
        "timestamp": "2026-11-10T08:00:00Z",
        **overrides,
    }


def _count() -> int:
    return db.session.scalar(select(func.count(UsageEvent.id)))


def test_a_batch_is_stored_once_and_repeats_are_counted(client, metered):
    headers = bearer(metered["token"])
    events = [_event(metered["contract"], n) for n in range(5)] + [_event(metered["contract"], 2)]
    first = client.post("/api/v1/usage-events", json={"events": events}, headers=headers)
    assert first.status_code == 202
    assert first.get_json() == {"accepted": 5, "duplicates": 1}
    again = client.post("/api/v1/usage-events", json={"events": events}, headers=headers)
    assert again.get_json() == {"accepted": 0, "duplicates": 6}
    assert _count() == 5


def test_one_bad_event_refuses_the_batch_and_stores_nothing(client, metered):
    good = [_event(metered["contract"], n) for n in range(3)]
    bad = _event(metered["contract"], 99, quantity=-2)
    body = assert_error(
        client.post("/api/v1/usage-events", json={"events": [*good, bad]}, headers=bearer(metered["token"])),
        422,
        "events",
    )
    assert body["errors"]["events"] == {"3": {"quantity": ["Must not be negative."]}}
    assert _count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contract_id": 999999}, "contract_id"),
        ({"contract_id": "1"}, "contract_id"),
        ({"metric": "no_such_metric"}, "metric"),
        ({"timestamp": "2025-12-31T23:59:59Z"}, "timestamp"),  # before the contract
        ({"timestamp": "2026-12-01T00:00:00Z"}, "timestamp"),  # the contract's end day is not active
        ({"timestamp": "2026-11-15T00:06:00Z"}, "timestamp"),  # more than 5 minutes ahead of 00:00
        ({"timestamp": "2026-11-10T08:00:00"}, "timestamp"),  # no offset
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "0001-01-01T00:00:01+00:01"}, "timestamp"),  # found by the fuzzer: a 500 before
        ({"quantity": -1}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": "1.0000001"}, "quantity"),
        ({"transaction_id": ""}, "transaction_id"),
        ({"transaction_id": 42}, "transaction_id"),
        ({"colour": "red"}, "colour"),
        ({"metric": "active_users"}, "properties"),
        ({"metric": "active_users", "properties": {"user": None}}, "properties"),
        ({"properties": ["not", "an", "object"]}, "properties"),
    ],
)
def test_each_rule_names_the_field_of_the_event(client, metered, overrides, field):
    event = _event(metered["contract"], **overrides)
    body = assert_error(
        client.post("/api/v1/usage-events", json={"events": [event]}, headers=bearer(metered["token"])), 422
    )
    assert field in body["errors"]["events"]["0"], body["errors"]
    assert _count() == 0


def test_another_customers_contract_is_unknown(client, metered):
    event = _event(metered["other"])
    body = assert_error(
        client.post("/api/v1/usage-events", json={"events": [event]}, headers=bearer(metered["token"])), 422
    )
    assert body["errors"]["events"]["0"] == {"contract_id": [f"Unknown contract {metered['other'].id}."]}


def test_batch_shape_is_checked(client, metered):
    headers = bearer(metered["token"])
    assert_error(client.post("/api/v1/usage-events", json={"events": []}, headers=headers), 422, "events")
    assert_error(client.post("/api/v1/usage-events", json={}, headers=headers), 422, "events")
    assert_error(client.post("/api/v1/usage-events", json={"events": [], "x": 1}, headers=headers), 422, "x")
    assert_error(
        client.post("/api/v1/usage-events", json=[_event(metered["contract"])], headers=headers), 422
    )
    too_many = [_event(metered["contract"], n) for n in range(1001)]
    assert_error(
        client.post("/api/v1/usage-events", json={"events": too_many}, headers=headers), 422, "events"
    )
    assert_error(
        client.post("/api/v1/usage-events", data="{", content_type="application/json", headers=headers), 400
    )
    assert _count() == 0


def test_a_thousand_events_in_one_batch(client, metered):
    events = [_event(metered["contract"], n, quantity=f"{n % 7}.5") for n in range(1000)]
    response = client.post("/api/v1/usage-events", json={"events": events}, headers=bearer(metered["token"]))
    assert response.get_json() == {"accepted": 1000, "duplicates": 0}
    total = db.session.scalar(select(func.sum(UsageEvent.quantity)))
    assert total == sum(Decimal(f"{n % 7}.5") for n in range(1000))


def test_offsets_are_stored_as_utc(client, metered):
    event = _event(metered["contract"], timestamp="2026-11-01T01:30:00+02:00")
    client.post("/api/v1/usage-events", json={"events": [event]}, headers=bearer(metered["token"]))
    stored = db.session.scalar(select(UsageEvent.timestamp))
    assert stored.isoformat() == "2026-10-31T23:30:00+00:00"


def test_back_dated_usage_is_noted_for_late_billing(client, metered):
    now_event = _event(metered["contract"], 1)
    october = _event(metered["contract"], 2, timestamp="2026-10-20T08:00:00Z")
    client.post(
        "/api/v1/usage-events", json={"events": [now_event, october]}, headers=bearer(metered["token"])
    )
    revisions = db.session.execute(select(UsageRevision.period_start)).scalars().all()
    assert revisions == [date(2026, 10, 1)]


def test_finance_and_logistics_may_not_post_usage(client, metered):
    for role in ("finance", "logistics"):
        response = client.post(
            "/api/v1/usage-events",
            json={"events": [_event(metered["contract"])]},
            headers=bearer(factories.token(role)),
        )
        assert_error(response, 403)
