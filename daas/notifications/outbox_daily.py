"""What was sent and what failed on each of the last days, for the outbox page's chart: four grouped counts
(e-mails and deliveries, sent and failed), never a query per row or per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from daas.extensions import db
from daas.notifications.models import FAILED, SENT, EmailMessage, WebhookDelivery

CHART_DAYS = 30


@dataclass(frozen=True)
class DailyOutcomes:
    """Per UTC day, the oldest first: rows sent that day (by `sent_at`) and rows failed that day (given
    up after the attempt due that day: the rows have no moment of failure of their own)."""

    days: list[date]
    emails_sent: list[int]
    emails_failed: list[int]
    deliveries_sent: list[int]
    deliveries_failed: list[int]


class utc_day(FunctionElement):  # noqa: N801 - a SQL function, named like one
    """The UTC calendar day of a moment. SQLite keeps moments as UTC text; PostgreSQL's own date() of a
    timestamptz would take the session's time zone."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _utc_day(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date(timezone('UTC', {compiler.process(element.clauses, **kw)}))"


def _per_day(model: Any, status: str, moment: Any, start: datetime, end: datetime) -> dict[date, int]:
    day = utc_day(moment)
    counted = db.session.execute(
        select(day, func.count()).where(model.status == status, moment >= start, moment < end).group_by(day)
    ).all()
    return {found: count for found, count in counted}


def sent_and_failed_per_day(last_day: date, days: int = CHART_DAYS) -> DailyOutcomes:
    """E-mails and deliveries sent and failed on each of the `days` UTC days up to `last_day` (see
    DailyOutcomes): four grouped counts."""
    first_day = last_day - timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)
    every_day = [first_day + timedelta(days=n) for n in range(days)]

    def series(model: Any, status: str, moment: Any) -> list[int]:
        counts = _per_day(model, status, moment, start, end)
        return [counts.get(day, 0) for day in every_day]

    return DailyOutcomes(
        every_day,
        series(EmailMessage, SENT, EmailMessage.sent_at),
        series(EmailMessage, FAILED, EmailMessage.next_attempt_at),
        series(WebhookDelivery, SENT, WebhookDelivery.sent_at),
        series(WebhookDelivery, FAILED, WebhookDelivery.next_attempt_at),
    )
