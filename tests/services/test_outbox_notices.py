"""The daily notices round (`notices` job, `flask daas notifications notices`, use case `record_notices`):
`invoice.overdue` 1, 7 and 14 days after an owed invoice's due date and `contract.ending` 90, 60 and 30
days before a contract's end, each once; a round that missed days gives the latest one due only (no burst
of reminders); an end date that moves gets notices of its own; paid invoices and terminated contracts get
none. Each event with its customer and every key its type lists."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.billing.models import Invoice
from daas.core.jobs import JobContext
from daas.extensions import db
from daas.jobs.notices import notices_job
from daas.settings import current_settings
from daas.usecases.billing import finalize_run_and_collect
from daas.usecases.contracts import extend_contract
from daas.usecases.notices import NoticeReport, record_notices
from daas.usecases.payments import record_bank_transfer
from tests import factories
from tests.billing_helpers import OCTOBER, bill, deploy, run_settings
from tests.helpers import settings_of
from tests.outbox_helpers import assert_event, events, keys, the_event


def _round(day: date, **changes: Any) -> NoticeReport:
    return record_notices(day, dataclasses.replace(current_settings().notifications, **changes))


# -- invoice.overdue ---------------------------------------------------------------------------------------


def _open_invoices(count: int) -> list[Invoice]:
    """`count` open 47.19 EUR invoices of October, issued 2026-11-15 and due 2026-12-15."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    contracts = []
    for _ in range(count):
        contract = factories.contract(factories.customer().id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        contracts.append(contract)
    db.session.commit()
    finalize_run_and_collect(bill(OCTOBER).id, run_settings(), current_settings().collection)
    return [db.session.scalar(select(Invoice).where(Invoice.contract_id == c.id)) for c in contracts]


def _reminders(invoice: Invoice) -> list[str]:
    return [key for key in keys("invoice.overdue") if key.startswith(f"invoice:{invoice.id}:")]


def test_an_unpaid_invoice_is_reminded_1_7_and_14_days_after_its_due_date_once_each(database, today):
    [invoice] = _open_invoices(1)
    assert _round(date(2026, 12, 15)) == NoticeReport(overdue=0, ending=0)  # due today: not late yet
    assert _round(date(2026, 12, 16)).overdue == 1
    assert _round(date(2026, 12, 16)).overdue == 0  # the same day again
    assert _round(date(2026, 12, 20)).overdue == 0  # the 1-day reminder was given
    assert _round(date(2026, 12, 22)).overdue == 1
    assert _round(date(2026, 12, 29)).overdue == 1
    assert _round(date(2027, 1, 20)).overdue == 0  # no reminder after the last
    assert _reminders(invoice) == [f"invoice:{invoice.id}:overdue:{days}" for days in (1, 7, 14)]
    assert_event(
        the_event("invoice.overdue", f"invoice:{invoice.id}:overdue:7"),
        invoice.customer_id,
        {
            "invoice_id": invoice.id,
            "number": "INV-2026-000001",
            "currency": "EUR",
            "amount_due": "47.19",
            "due_date": "2026-12-15",
            "days_overdue": 7,
        },
    )


def test_a_round_that_missed_days_reminds_once_of_the_latest_count_passed(database, today):
    late, later = _open_invoices(2)
    assert _round(date(2026, 12, 16)).overdue == 2  # both 1 day late
    record_bank_transfer(later.id, Decimal("20.00"), "BANK-1", today, "finance@tests")
    assert _round(date(2026, 12, 31)).overdue == 2  # 16 days late: 7 is passed over, 14 given
    assert _reminders(late) == [f"invoice:{late.id}:overdue:1", f"invoice:{late.id}:overdue:14"]
    reminded = the_event("invoice.overdue", f"invoice:{later.id}:overdue:14")
    assert (reminded.data["days_overdue"], reminded.data["amount_due"]) == (16, "27.19")  # what is left


def test_a_paid_invoice_is_not_reminded_and_the_days_come_from_the_settings(database, today):
    paid, owed = _open_invoices(2)
    record_bank_transfer(paid.id, Decimal("47.19"), "BANK-ALL", today, "finance@tests")
    assert _round(date(2026, 12, 18), overdue_reminder_days=(3, 10)).overdue == 1
    assert keys("invoice.overdue") == [f"invoice:{owed.id}:overdue:3"]
    assert _round(date(2027, 1, 30), overdue_reminder_days=()).overdue == 0  # none configured


# -- contract.ending ---------------------------------------------------------------------------------------


def _contract(end_date: date, **values: Any) -> Any:
    contract = factories.contract(start_date=date(2024, 1, 1), end_date=end_date, **values)
    db.session.commit()
    return contract


def _notices(contract: Any) -> list[str]:
    return [key for key in keys("contract.ending") if key.startswith(f"contract:{contract.id}:")]


def test_a_contract_is_given_notice_90_60_and_30_days_before_its_end_once_each(database, today):
    contract = _contract(date(2027, 3, 1))
    for day, recorded in (
        (date(2026, 11, 30), 0),  # 91 days left
        (date(2026, 12, 1), 1),  # 90
        (date(2026, 12, 1), 0),
        (date(2026, 12, 20), 0),
        (date(2026, 12, 31), 1),  # 60
        (date(2027, 1, 30), 1),  # 30
        (date(2027, 2, 28), 0),
    ):
        assert _round(day).ending == recorded, day
    assert _notices(contract) == [f"contract:{contract.id}:ending:2027-03-01:{days}" for days in (90, 60, 30)]
    assert_event(
        the_event("contract.ending", f"contract:{contract.id}:ending:2027-03-01:60"),
        contract.customer_id,
        {"contract_id": contract.id, "end_date": "2027-03-01", "days_left": 60, "auto_renew": False},
    )


def test_a_round_that_missed_notices_gives_the_tightest_one_with_the_real_days_left(database, today):
    renewing = _contract(date(2027, 1, 10), renews=True)
    assert _round(date(2026, 12, 31)).ending == 1  # 10 days left: 90 and 60 are passed over
    assert_event(
        the_event("contract.ending", f"contract:{renewing.id}:ending:2027-01-10:30"),
        renewing.customer_id,
        {"contract_id": renewing.id, "end_date": "2027-01-10", "days_left": 10, "auto_renew": True},
    )


def test_an_end_date_that_moves_gets_notices_of_its_own_and_a_terminated_contract_none(database, today):
    contract = _contract(date(2027, 1, 31))
    assert _round(date(2027, 1, 1)).ending == 1  # 30 days before 2027-01-31
    extend_contract(contract.id, 6, None, "finance@tests")  # now ends 2027-07-31
    assert _round(date(2027, 1, 2)).ending == 0  # 210 days left
    assert _round(date(2027, 5, 2)).ending == 1  # 90 days before the new end
    assert _notices(contract) == [
        f"contract:{contract.id}:ending:2027-01-31:30",
        f"contract:{contract.id}:ending:2027-07-31:90",
    ]

    terminated = _contract(date(2027, 6, 1))
    terminated.terminated_on = date(2027, 5, 1)
    db.session.commit()
    _round(date(2027, 5, 10))
    assert _notices(terminated) == []


# -- the job and the command -------------------------------------------------------------------------------


def test_the_job_records_the_notices_due_on_its_due_day(app, database, today):
    [invoice] = _open_invoices(1)
    contract = _contract(date(2027, 3, 1))
    context = JobContext(settings_of(app), datetime(2026, 12, 16, 6, 15, tzinfo=UTC))
    assert notices_job(context) == {"overdue": 1, "ending": 1}  # 1 day late; 75 days to the end (90)
    assert notices_job(context) == {"overdue": 0, "ending": 0}  # run again: nothing twice
    a_week_on = JobContext(settings_of(app), datetime(2026, 12, 22, 6, 15, tzinfo=UTC))
    assert notices_job(a_week_on) == {"overdue": 1, "ending": 0}
    assert _reminders(invoice) == [f"invoice:{invoice.id}:overdue:{days}" for days in (1, 7)]
    ending = the_event("contract.ending", f"contract:{contract.id}:ending:2027-03-01:90")
    assert ending.data["days_left"] == 75


def test_the_command_runs_the_round_for_a_day(app, database, today):
    [invoice] = _open_invoices(1)
    result = app.test_cli_runner().invoke(args=["daas", "notifications", "notices", "--on", "2026-12-29"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "overdue: 1, ending: 0"
    assert _reminders(invoice) == [f"invoice:{invoice.id}:overdue:14"]
    again = app.test_cli_runner().invoke(args=["daas", "notifications", "notices", "--on", "2026-12-29"])
    assert again.output.strip() == "overdue: 0, ending: 0"
    assert len(events("invoice.overdue")) == 1
