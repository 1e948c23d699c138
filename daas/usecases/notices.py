"""The daily notices round (the `notices` job, `flask daas notifications notices`): reminders of the
invoices past their due date and notices of the contracts nearing their end, recorded in the outbox in
one transaction. Safe to run again on the same day, or late: each reminder and notice is recorded once,
and a round that missed days gives the latest one due only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from daas.billing.reminders import record_overdue_reminders
from daas.contracts.end_notices import record_end_notices
from daas.notifications.policy import NotificationSettings
from daas.usecases.transaction import use_case


@dataclass(frozen=True)
class NoticeReport:
    """How many `invoice.overdue` and `contract.ending` events the round recorded."""

    overdue: int
    ending: int

    def counts(self) -> dict[str, int]:
        return {"overdue": self.overdue, "ending": self.ending}


@use_case
def record_notices(today: date, settings: NotificationSettings) -> NoticeReport:
    """Record what is due on `today`: a reminder for each owed invoice past its due date by one of
    `settings.overdue_reminder_days`, a notice for each contract whose end date is within one of
    `settings.end_of_term_notice_days`."""
    return NoticeReport(
        overdue=record_overdue_reminders(today, settings.overdue_reminder_days),
        ending=record_end_notices(today, settings.end_of_term_notice_days),
    )
