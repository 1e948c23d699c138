"""`flask daas bill`: a month that has not ended is refused naming PERIOD; the summary says which contracts
were skipped and why, and which interrupted run the new one completes; `--join` works on the period's
running run and says how much it wrote, or that there was none."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from daas.billing import run as billing_run
from daas.billing.models import BillingRun
from daas.billing.run import PeriodBilling
from daas.core import clock
from daas.extensions import db
from daas.usecases.transaction import commit
from tests.billing_helpers import OCTOBER, run_settings
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


def test_join_writes_the_chunks_left_of_the_running_run(app, database):
    billed_contracts(3)
    settings = run_settings(chunk_size=2)
    run = billing_run.open_run(OCTOBER, "tests", settings.stale_after)
    PeriodBilling(run, OCTOBER, settings).plan()
    commit()

    result = _bill(app, "2026-10", "--join", "--wait", "0")

    assert result.exit_code == 0, result.output
    assert (
        result.output.strip().splitlines()[-1] == f"Wrote the drafts of 3 contracts of billing run {run.id}."
    )
    db.session.refresh(run)
    assert (run.status, run.processed, run.invoices_created) == ("running", 3, 3)  # its owner finishes it


def test_join_without_a_running_run_says_so(app, database):
    result = _bill(app, "2026-10", "--join", "--wait", "0")
    assert result.exit_code == 1, result.output
    assert "No billing run of 2026-10 was running with contracts left to bill." in result.output


def test_join_does_not_finalize(app, database):
    result = _bill(app, "2026-10", "--join", "--finalize")
    assert result.exit_code == 2, result.output
    assert "--finalize" in result.output and "its own process finalizes" in result.output
