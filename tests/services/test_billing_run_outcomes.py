"""A billing run never fails as a whole because of one contract's data: the contract that cannot be
measured or rated is recorded on the run with the reason and skipped, the others are billed with the
right amounts, and the run ends completed_with_errors. Usage stored before input was checked (a lone
surrogate or NUL in a property, inserted here with raw SQL) is read without failing on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from daas.billing.models import BillingRunError, Invoice
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, deploy, usage
from tests.conftest import ON_POSTGRES
from tests.web.helpers import signed_in

# 5·10¹² units at 100,000.00 EUR come to 5·10¹⁷ EUR: more than an invoice holds (below 10¹⁶).
HUGE_QUANTITY = Decimal("5000000000000")


def _plan_with_usage(aggregation: str = "sum", unit_amount: str = "100000.00", **metric_values):
    metric = factories.metric(aggregation=aggregation, **metric_values)
    plan = factories.plan(
        charges=[
            {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
            {
                "kind": "metered",
                "metric": metric.code,
                "model": "per_unit",
                "unit_amount": Decimal(unit_amount),
            },
        ]
    )
    return plan, metric


def _contract_with_a_device(plan):
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    deploy(contract, date(2026, 2, 1))
    return contract


def _invoice(contract) -> Invoice | None:
    invoice = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == OCTOBER.name)
    )
    if invoice is not None:
        db.session.refresh(invoice)
    return invoice


def _totals(contract) -> tuple[str, Decimal, Decimal, Decimal]:
    invoice = _invoice(contract)
    return invoice.status, invoice.subtotal, invoice.tax_amount, invoice.total


def _failures(run) -> list[tuple[int, str]]:
    return [
        (row.contract_id, row.error)
        for row in db.session.scalars(
            select(BillingRunError)
            .where(BillingRunError.run_id == run.id)
            .order_by(BillingRunError.contract_id)
        )
    ]


def test_a_contract_that_cannot_be_rated_is_recorded_and_the_others_are_billed(database, today):
    plan, metric = _plan_with_usage()
    before, huge, after = (_contract_with_a_device(plan) for _ in range(3))
    usage(before, metric, at(2026, 10, 3), quantity=Decimal(3))
    usage(after, metric, at(2026, 10, 9), quantity=Decimal(2))
    first = bill()
    assert first.status == "completed" and _failures(first) == []
    assert _invoice(huge).total == Decimal("47.19")  # 39.00 + 21 % VAT: nothing metered yet

    usage(huge, metric, at(2026, 10, 20), quantity=HUGE_QUANTITY)  # accepted: below the 10¹³ per event
    run = bill(finalize=True)

    assert run.status == "completed_with_errors"
    assert (run.contracts, run.processed, run.invoices_updated) == (3, 3, 2)
    [(contract_id, error)] = _failures(run)
    assert contract_id == huge.id
    assert error.startswith("It could not be rated: ")
    assert (
        "comes to 500000000000000000.00 EUR; an invoice holds amounts below 10000000000000000.00 EUR" in error
    )
    # The others: 39.00 for the device plus the units at 100,000.00, and 21 % VAT.
    assert _totals(before) == ("open", Decimal("300039.00"), Decimal("63008.19"), Decimal("363047.19"))
    assert _totals(after) == ("open", Decimal("200039.00"), Decimal("42008.19"), Decimal("242047.19"))
    assert run.invoices_finalized == 2
    # The skipped contract keeps the draft of the first run, unfinalized, for finance to look at.
    stale = _invoice(huge)
    assert (stale.status, stale.billing_run_id, stale.total) == ("draft", first.id, Decimal("47.19"))
    assert [failure.contract_id for failure in run.failed_contracts] == [huge.id]


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL adds NUMERIC without a limit; SQLite stops at 64 bits")
def test_usage_the_database_cannot_add_up_stops_only_its_own_contract(database, today):
    """SQLite keeps quantities as integers of millionths: two events of 5·10¹² units (each accepted by
    the API) add up past 2⁶³, so the set-based SUM of the month fails; the run isolates the contract."""
    plan, metric = _plan_with_usage(unit_amount="0.01")
    first, overflowing, last = (_contract_with_a_device(plan) for _ in range(3))
    usage(first, metric, at(2026, 10, 3), quantity=Decimal(100))
    usage(overflowing, metric, at(2026, 10, 4), at(2026, 10, 5), quantity=HUGE_QUANTITY)
    usage(last, metric, at(2026, 10, 6), quantity=Decimal(300))

    run = bill()

    assert run.status == "completed_with_errors"
    assert _failures(run) == [(overflowing.id, "Its usage of 2026-10 could not be read: integer overflow")]
    assert _invoice(overflowing) is None
    assert _totals(first) == ("draft", Decimal("40.00"), Decimal("8.40"), Decimal("48.40"))
    assert _totals(last) == ("draft", Decimal("42.00"), Decimal("8.82"), Decimal("50.82"))


def _raw_usage_event(contract, metric, properties_json: str, day: int) -> None:
    """A usage event as it was stored before input was checked: straight into the table."""
    db.session.execute(
        text(
            "INSERT INTO usage_events (customer_id, transaction_id, contract_id, metric_id, timestamp,"
            " quantity, properties) VALUES (:customer, :tx, :contract, :metric, :at, 1, CAST(:props AS json))"
        ),
        {
            "customer": contract.customer_id,
            "tx": factories.unique("raw"),
            "contract": contract.id,
            "metric": metric.id,
            "at": at(2026, 10, day),
            "props": properties_json,
        },
    )


@pytest.mark.postgres
def test_a_lone_surrogate_stored_in_usage_bills_every_contract_and_shows_on_the_portal(app, database, today):
    plan, users = _plan_with_usage("unique_count", unit_amount="2.00", field="user")
    clean, stained = _contract_with_a_device(plan), _contract_with_a_device(plan)
    usage(clean, users, at(2026, 10, 2), user="bob")
    usage(clean, users, at(2026, 10, 3), user="carol")
    usage(stained, users, at(2026, 10, 4), user="alice")
    for day, raw in enumerate([r'{"user": "\ud800"}', r'{"user": "\ud800"}', r'{"user": "x\u0000"}'], 5):
        _raw_usage_event(stained, users, raw, day)
    _raw_usage_event(stained, users, json.dumps({"user": "\U0001f600", "note": "a\\ud800"}), 9)
    # Such a row makes PostgreSQL fail any statement reading the property as text:
    read_as_text = text("SELECT properties ->> 'user' FROM usage_events WHERE contract_id = :contract")
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(read_as_text, {"contract": stained.id}).all()

    run = bill()

    assert (run.status, run.failed_contracts) == ("completed", [])
    # Users: alice, the unreadable one twice (read as U+FFFD, one user), "x" with NUL (x + U+FFFD), 😀.
    stained_line = next(line for line in _invoice(stained).lines if line.metric == users.code)
    assert (stained_line.quantity, stained_line.amount) == (Decimal(4), Decimal("8.00"))
    clean_line = next(line for line in _invoice(clean).lines if line.metric == users.code)
    assert (clean_line.quantity, clean_line.amount) == (Decimal(2), Decimal("4.00"))

    db.session.commit()
    client, _ = signed_in(app, "customer", stained.customer_id)
    page = client.get(f"/portal/subscriptions/{stained.id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
