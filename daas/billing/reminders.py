"""Reminders of unpaid invoices (`invoice.overdue`), found by the daily notices round.

An invoice still owed (open or uncollectible, something due) is reminded when it is a number of days
past its due date (the settings' reminder days, 1, 7 and 14 by default), once per invoice and day count:
key `invoice:<id>:overdue:<days>`. A round that did not run for a while reminds an invoice once, of the
latest count it has passed, never of every count it missed at once. Read set-based: one query for the
invoices, one (daas.outbox.batch) for the reminders recorded before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.models import Invoice
from daas.extensions import db
from daas.outbox.batch import NewEvent, record_events

INVOICE_OVERDUE = "invoice.overdue"


def reminder_due(days_overdue: int, reminder_days: Sequence[int]) -> int | None:
    """The reminder an invoice `days_overdue` days past its due date is owed by now: the latest of
    `reminder_days` it has passed; None before the first."""
    passed = [days for days in reminder_days if days <= days_overdue]
    return max(passed) if passed else None


def record_overdue_reminders(today: date, reminder_days: Sequence[int]) -> int:
    """Record the reminder each owed invoice past its due date is due on `today`, unless it was
    recorded before; how many were recorded."""
    if not reminder_days:
        return 0
    rows = db.session.execute(
        select(
            Invoice.id,
            Invoice.customer_id,
            Invoice.number,
            Invoice.currency,
            Invoice.amount_due,
            Invoice.due_date,
        )
        .where(
            Invoice.status.in_(lifecycle.OWING),
            Invoice.amount_due > 0,
            Invoice.due_date <= today - timedelta(days=min(reminder_days)),
        )
        .order_by(Invoice.id)
    ).all()
    events = []
    for row in rows:
        days_overdue = (today - row.due_date).days
        events.append(
            NewEvent(
                key=f"invoice:{row.id}:overdue:{reminder_due(days_overdue, reminder_days)}",
                customer_id=row.customer_id,
                data={
                    "invoice_id": row.id,
                    "number": row.number,
                    "currency": row.currency,
                    "amount_due": row.amount_due,
                    "due_date": row.due_date,
                    "days_overdue": days_overdue,
                },
            )
        )
    return record_events(INVOICE_OVERDUE, events)
