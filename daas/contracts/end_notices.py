"""Notices of a contract's end (`contract.ending`), found by the daily notices round.

A contract that is not terminated is given notice when its end date is a number of days away (the
settings' notice days, 90, 60 and 30 by default), saying how many days are really left and whether it
renews itself: once per contract, end date and notice, key `contract:<id>:ending:<end date>:<days>`. A
round that did not run for a while gives the tightest notice reached only, not every notice it missed.
An end date that moves (a renewal, an extension) is a new end date, with notices of its own. Read
set-based: one query for the contracts, one (daas.outbox.batch) for the notices recorded before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select

from daas.contracts import renewal_rules
from daas.contracts.models import Contract
from daas.extensions import db
from daas.outbox.batch import NewEvent, record_events

CONTRACT_ENDING = "contract.ending"


def notice_due(days_left: int, notice_days: Sequence[int]) -> int | None:
    """The notice a contract ending in `days_left` days is owed by now: the tightest of `notice_days` it
    has reached; None before the first, and once it has ended."""
    reached = [days for days in notice_days if days_left <= days]
    return min(reached) if reached and days_left > 0 else None


def record_end_notices(today: date, notice_days: Sequence[int]) -> int:
    """Record the notice each contract ending within the notice days is due on `today`, unless it was
    recorded before for the same end date; how many were recorded."""
    if not notice_days:
        return 0
    contracts = db.session.execute(
        select(
            Contract.id,
            Contract.customer_id,
            Contract.end_date,
            Contract.renews,
            Contract.renewal_stopped_on,
            Contract.renewal_notice_days,
        )
        .where(
            Contract.end_date > today,
            Contract.end_date <= today + timedelta(days=max(notice_days)),
            Contract.terminated_on.is_(None),
        )
        .order_by(Contract.id)
    ).all()
    events = []
    for row in contracts:
        days_left = (row.end_date - today).days
        renews = renewal_rules.will_renew(
            row.renews, row.renewal_stopped_on, row.end_date, row.renewal_notice_days, None
        )
        notice = notice_due(days_left, notice_days)
        events.append(
            NewEvent(
                key=f"contract:{row.id}:ending:{row.end_date.isoformat()}:{notice}",
                customer_id=row.customer_id,
                data={
                    "contract_id": row.id,
                    "end_date": row.end_date,
                    "days_left": days_left,
                    "auto_renew": renews,
                },
            )
        )
    return record_events(CONTRACT_ENDING, events)
