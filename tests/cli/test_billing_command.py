"""`flask daas bill`: a month that has not ended is refused naming PERIOD; the summary says which contracts
were skipped and why, and which interrupted run the new one completes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from daas.billing.models import BillingRun
from daas.core import clock
from daas.extensions import db
from tests.billing_run_helpers import (
    billed_contracts,
    contract_that_cannot_be_rated,
    run_that_dies_after_its_first_chunk,
)


def _bill(app, *args):
    return app.test_cli_runner().invoke(args=["daas", "bill", *args])


def test_a_month_that_has_not_ended_is_refused(app, database, today):
    result = _bill(app, "2026-11")
    assert result.exit_code == 2, result.output
    assert (
        "PERIOD" in result.output
        and "2026-11 has not ended yet: it can be billed from 2026-12-01." in result.output
    )
    assert db.session.scalar(select(func.count(BillingRun.id))) == 0


def test_the_summary_names_the_skipped_contracts_and_the_run_it_completes(app, database):
    billed_contracts(2)
    bad = contract_that_cannot_be_rated()
    died = run_that_dies_after_its_first_chunk(at_moment=datetime(2026, 11, 15, 9, 0, tzinfo=UTC))

    with clock.frozen(datetime(2026, 11, 16, tzinfo=UTC)):  # a day without its heartbeat
        result = _bill(app, "2026-10")

    assert result.exit_code == 0, result.output
    run = db.session.scalar(select(BillingRun).order_by(BillingRun.id.desc()))
    lines = result.output.strip().splitlines()
    assert lines[-3:] == [
        f"Billing run {run.id} for 2026-10 completed with errors: 3 contracts, 1 invoices created, "
        "1 drafts recomputed, 0 finalized, 1 could not be billed.",
        f"It completes billing run {died.id}, which was interrupted.",
        f"Contract {bad.id} was skipped: {run.failed_contracts[0].error}",
    ]
    assert run.failed_contracts[0].error.startswith("It could not be rated: ")


def test_a_run_that_bills_everything_says_completed(app, database, today):
    billed_contracts(1)
    with clock.frozen(date(2026, 11, 15)):
        result = _bill(app, "2026-10")
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip()
        .splitlines()[-1]
        .endswith("for 2026-10 completed: 1 contracts, 1 invoices created, 0 drafts recomputed, 0 finalized.")
    )
