"""Reads the finance pages need and the billing and payments services do not offer: totals per currency
of a set of invoices, the receivables, invoiced totals by month, overdue invoices oldest first, a billing
run's invoices, the customers to filter by, and how many Stripe events failed. Read only; amounts stay
Decimal (summed by the database with the columns' exact type, so SQLite's scaled integers come back as
Decimal too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.invoices import invoice_filters
from daas.billing.models import BillingRun, Invoice
from daas.db import Money, fetch_page
from daas.extensions import db
from daas.payments.models import EVENT_FAILED, StripeEvent
from daas.payments.services import overdue_condition
from daas.payments.webhooks import given_up_condition

ZERO = Decimal(0)
# Invoices that were issued and still stand: what "invoiced" means on the finance pages.
ISSUED = lifecycle.ISSUED


@dataclass(frozen=True)
class CurrencyTotals:
    """How many invoices of one currency, and their amounts added up."""

    currency: str
    count: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    amount_due: Decimal


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column, type_=Money), ZERO, type_=Money)


def invoice_conditions(
    period: str | None = None,
    status: str | None = None,
    customer_id: int | None = None,
    overdue_on: date | None = None,
    billing_run_id: int | None = None,
) -> list[ColumnElement[bool]]:
    """The invoice list's filters as SQL conditions (`list_invoices`' own), and overdue on a day."""
    conditions = invoice_filters(period, None, customer_id, status, billing_run_id)
    return [*conditions, overdue_condition(overdue_on)] if overdue_on is not None else conditions


def invoice_totals(*conditions: ColumnElement[bool]) -> list[CurrencyTotals]:
    """Count, subtotal, tax, total and amount due of the invoices matching `conditions`, per currency."""
    rows = db.session.execute(
        select(
            Invoice.currency,
            func.count(Invoice.id),
            _sum(Invoice.subtotal),
            _sum(Invoice.tax_amount),
            _sum(Invoice.total),
            _sum(Invoice.amount_due),
        )
        .where(*conditions)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    return [CurrencyTotals(*row) for row in rows]


def status_counts(*conditions: ColumnElement[bool]) -> dict[str, int]:
    """How many invoices matching `conditions` are in each status."""
    rows = db.session.execute(
        select(Invoice.status, func.count(Invoice.id)).where(*conditions).group_by(Invoice.status)
    ).all()
    return {status: count for status, count in rows}


def receivables() -> list[CurrencyTotals]:
    """What customers owe on issued invoices (open, or given up on by card collection), per currency."""
    return invoice_totals(Invoice.status.in_(lifecycle.OWING))


@dataclass(frozen=True)
class MonthlyTotals:
    periods: list[str]  # oldest first
    totals: dict[str, list[Decimal]]  # currency -> one total per period


def invoiced_by_month(months: int = 12) -> MonthlyTotals:
    """Totals of issued invoices (not drafts, not voided) of the last `months` periods that have any,
    per currency; a period without invoices in a currency counts 0 in it."""
    issued = Invoice.status.in_(ISSUED)
    periods = list(
        db.session.scalars(
            select(Invoice.period).where(issued).group_by(Invoice.period).order_by(Invoice.period.desc())
        ).all()[:months]
    )[::-1]
    if not periods:
        return MonthlyTotals([], {})
    rows = db.session.execute(
        select(Invoice.period, Invoice.currency, _sum(Invoice.total))
        .where(issued, Invoice.period.in_(periods))
        .group_by(Invoice.period, Invoice.currency)
    ).all()
    totals: dict[str, list[Decimal]] = {}
    for period, currency, total in rows:
        totals.setdefault(currency, [ZERO] * len(periods))[periods.index(period)] = total
    return MonthlyTotals(periods, dict(sorted(totals.items())))


def overdue_invoices(today: date, offset: int = 0, limit: int = 50) -> tuple[list[Invoice], int]:
    """Invoices finance must chase (see `overdue_condition`), the longest overdue first."""
    query = select(Invoice).where(overdue_condition(today)).order_by(Invoice.due_date, Invoice.id)
    return fetch_page(query, offset, limit)


def run_invoices_page(run_id: int, offset: int = 0, limit: int = 50) -> tuple[list[Invoice], int]:
    """One page of the invoices a billing run computed, by id."""
    return fetch_page(
        select(Invoice).where(Invoice.billing_run_id == run_id).order_by(Invoice.id), offset, limit
    )


def run_completing(run_id: int) -> int | None:
    """The first later billing run that says it completes this (interrupted) run, if any."""
    return db.session.scalar(select(func.min(BillingRun.id)).where(BillingRun.completes_run_id == run_id))


@dataclass(frozen=True)
class FailedEvents:
    """Stripe events whose last attempt failed: all of them, and those daas no longer retries."""

    failed: int
    given_up: int


def failed_webhook_events() -> FailedEvents:
    failed, given_up = db.session.execute(
        select(
            func.count(StripeEvent.id),
            func.count(StripeEvent.id).filter(given_up_condition()),
        ).where(StripeEvent.status == EVENT_FAILED)
    ).one()
    return FailedEvents(failed, given_up)
