"""The monthly billing run: one draft invoice per contract active in the period, computed set-based.

It reads the whole period in a handful of queries (`measure`), rates each contract in memory (`rating`,
`tax`), and writes invoices in chunks, committing each chunk: a run killed part-way keeps its finished
chunks and the next run recomputes the rest, ending with the invoices an uninterrupted run gives. Running
again recomputes drafts and leaves finalized invoices alone. Two runs of one period at once meet at the
unique (contract, period) key and at row locks on the chunk's invoices, so each contract gets one invoice.

Unlike other services, a run owns its transactions (a commit per chunk): that is what makes it resumable.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from daas.billing import measure
from daas.billing.models import BillingRun, Invoice, InvoiceLine
from daas.billing.periods import Period
from daas.billing.rating import (
    ZERO,
    Charge,
    ContractUsage,
    Line,
    active_days,
    device_days,
    late_usage_line,
    rate_contract,
)
from daas.billing.tax import decide_tax, tax_amount
from daas.contracts.terms import effective_minimum
from daas.core import clock
from daas.db import insert_ignoring_conflicts
from daas.extensions import db


@dataclass(frozen=True)
class ComputedInvoice:
    contract_id: int
    customer: measure.CustomerTerms
    currency: str
    lines: tuple[Line, ...]
    subtotal: Decimal
    tax_rate: Decimal
    tax_note: str | None
    tax_amount: Decimal
    total: Decimal


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Measurements:
    """Everything a run needs to know about the period, read once."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.plans = measure.plans()
        self.deployments = measure.deployments_in(period)
        self.usage = measure.usage_in(period.starts_at, period.ends_at)
        self.late: dict[int, list[measure.BilledQuantity]] = defaultdict(list)
        for billed in measure.late_usage_candidates(period):
            self.late[billed.contract_id].append(billed)
        self.late_now: dict[Period, dict[int, dict[int, Decimal]]] = {}
        by_period: dict[Period, list[tuple[int, int]]] = defaultdict(list)
        for candidates in self.late.values():
            for billed in candidates:
                by_period[billed.period].append((billed.contract_id, billed.metric_id))
        for usage_period, pairs in by_period.items():
            self.late_now[usage_period] = measure.usage_in(
                usage_period.starts_at, usage_period.ends_at, pairs
            )
        active = measure.contracts_billed_in(period)
        active_ids = {c.id for c in active}
        ended_with_late_usage = measure.contracts_by_id(set(self.late) - active_ids)
        self.contracts = sorted([*active, *ended_with_late_usage], key=lambda c: c.id)
        self.customers = measure.customers({c.customer_id for c in self.contracts})


def _late_lines(m: _Measurements, contract_id: int, charges: Sequence[Charge], currency: str) -> list[Line]:
    by_metric = {c.metric_id: c for c in charges if c.kind == "metered"}
    lines = []
    for billed in sorted(m.late.get(contract_id, []), key=lambda b: (b.period, b.metric_id)):
        charge = by_metric.get(billed.metric_id)
        if charge is None:
            continue
        now = m.late_now.get(billed.period, {}).get(contract_id, {}).get(billed.metric_id, ZERO)
        line = late_usage_line(charge, billed.period, now, billed.quantity, currency)
        if line is not None:
            lines.append(line)
    return lines


def compute_invoice(
    m: _Measurements, contract: measure.ContractTerms, issuer_country: str
) -> ComputedInvoice | None:
    """One contract's invoice for the period, or None when it owes nothing at all this period."""
    period = m.period
    plan = m.plans[contract.plan_id]
    days = active_days(contract.start_date, contract.end_date, period)
    lines: list[Line] = []
    if days > 0:
        usage = ContractUsage(
            active_days=days,
            device_days_by_model={
                model_id: device_days(deployments, contract.start_date, contract.end_date, period)
                for model_id, deployments in m.deployments.get(contract.id, {}).items()
            },
            quantities=m.usage.get(contract.id, {}),
        )
        minimum = effective_minimum(contract.minimum, plan.minimum)
        lines = rate_contract(plan.charges, usage, minimum, period, plan.currency)
    lines += _late_lines(m, contract.id, plan.charges, plan.currency)
    if days <= 0 and not lines:
        return None
    customer = m.customers[contract.customer_id]
    subtotal = sum((line.amount for line in lines), ZERO)
    tax = decide_tax(issuer_country, customer.country, customer.vat_id, period.end - timedelta(days=1))
    tax_due = tax_amount(subtotal, tax.rate, plan.currency)
    return ComputedInvoice(
        contract_id=contract.id,
        customer=customer,
        currency=plan.currency,
        lines=tuple(lines),
        subtotal=subtotal,
        tax_rate=tax.rate,
        tax_note=tax.note,
        tax_amount=tax_due,
        total=subtotal + tax_due,
    )


def _write(period: Period, run_id: int, computed: Sequence[ComputedInvoice]) -> tuple[int, int]:
    """Create or recompute the drafts of one chunk; finalized invoices are left alone. (created, updated)"""
    if not computed:
        return 0, 0
    table = Invoice.__table__
    new = db.session.execute(
        insert_ignoring_conflicts(table, "contract_id", "period").returning(table.c.contract_id),
        [
            {
                "contract_id": c.contract_id,
                "customer_id": c.customer.id,
                "period": period.name,
                "status": "draft",
                "currency": c.currency,
                "customer_name": c.customer.name,
                "customer_country": c.customer.country,
                "customer_vat_id": c.customer.vat_id,
                "customer_email": c.customer.billing_email,
                "billing_run_id": run_id,
                "subtotal": ZERO,
                "tax_rate": ZERO,
                "tax_amount": ZERO,
                "total": ZERO,
                "credited": ZERO,
                "amount_paid": ZERO,
                "amount_due": ZERO,
            }
            for c in computed
        ],
    )
    created = set(new.scalars())
    # Lock the chunk's invoices in id order: a concurrent run of the period waits here, then recomputes.
    invoices = db.session.execute(
        select(Invoice.id, Invoice.contract_id, Invoice.status)
        .where(Invoice.period == period.name, Invoice.contract_id.in_([c.contract_id for c in computed]))
        .order_by(Invoice.id)
        .with_for_update()
    ).all()
    drafts = {row.contract_id: row.id for row in invoices if row.status == "draft"}
    todo = [c for c in computed if c.contract_id in drafts]
    if not todo:
        return len(created), 0
    db.session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id.in_(drafts.values())))
    lines = [
        {
            "invoice_id": drafts[c.contract_id],
            "position": position,
            "kind": line.kind,
            "description": line.description,
            "metric": line.metric,
            "quantity": line.quantity,
            "unit_amount": line.unit_amount,
            "amount": line.amount,
            "usage_period": line.usage_period,
            "usage_quantity": line.usage_quantity,
        }
        for c in todo
        for position, line in enumerate(c.lines)
    ]
    if lines:  # a draft may have no lines at all (no device served, no metered charge)
        db.session.execute(insert(InvoiceLine), lines)
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("invoice_id"))
        .values(
            customer_id=bindparam("b_customer_id"),
            currency=bindparam("b_currency"),
            subtotal=bindparam("b_subtotal"),
            tax_rate=bindparam("b_tax_rate"),
            tax_note=bindparam("b_tax_note"),
            tax_amount=bindparam("b_tax_amount"),
            total=bindparam("b_total"),
            amount_due=bindparam("b_total"),
            customer_name=bindparam("b_name"),
            customer_country=bindparam("b_country"),
            customer_vat_id=bindparam("b_vat_id"),
            customer_email=bindparam("b_email"),
            billing_run_id=bindparam("b_run_id"),
            computed_at=func.now(),
        ),
        [
            {
                "invoice_id": drafts[c.contract_id],
                "b_customer_id": c.customer.id,
                "b_currency": c.currency,
                "b_subtotal": c.subtotal,
                "b_tax_rate": c.tax_rate,
                "b_tax_note": c.tax_note,
                "b_tax_amount": c.tax_amount,
                "b_total": c.total,
                "b_name": c.customer.name,
                "b_country": c.customer.country,
                "b_vat_id": c.customer.vat_id,
                "b_email": c.customer.billing_email,
                "b_run_id": run_id,
            }
            for c in todo
        ],
    )
    return len(created), len([c for c in todo if c.contract_id not in created])


def run_billing(
    period: Period,
    actor: str,
    issuer_country: str,
    *,
    chunk_size: int = 1000,
    throttle_ms: int = 0,
    finalize: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_created: Callable[[int], None] | None = None,
) -> BillingRun:
    """Bill a period: create or recompute a draft per contract, optionally finalize them. Commits.

    `on_created(run_id)` is called once the run's row is committed, before any work: a caller that runs
    billing in the background learns there which run to show."""
    from daas.billing.invoices import finalize_period

    run = BillingRun(period=period.name, status="running", actor=actor)
    db.session.add(run)
    db.session.commit()
    if on_created:
        on_created(run.id)
    try:
        measured = _Measurements(period)
        run.contracts = len(measured.contracts)
        db.session.commit()
        if on_start:
            on_start(run.contracts)
        for chunk in _chunks(measured.contracts, chunk_size):
            computed = [
                c for c in (compute_invoice(measured, contract, issuer_country) for contract in chunk) if c
            ]
            created, updated = _write(period, run.id, computed)
            run.invoices_created += created
            run.invoices_updated += updated
            run.processed += len(chunk)
            db.session.commit()
            if on_progress:
                on_progress(len(chunk))
            if throttle_ms:
                time.sleep(throttle_ms / 1000)
        if finalize:
            run.invoices_finalized = finalize_period(period, chunk_size=chunk_size)
        run.status = "completed"
        run.finished_at = clock.now()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        failed = db.session.get(BillingRun, run.id)
        if failed is not None:
            failed.status, failed.error, failed.finished_at = "failed", str(error)[:2000], clock.now()
            db.session.commit()
        raise
    return run


def bill_period(period: Period, actor: str, settings: Mapping[str, Any], **options: Any) -> BillingRun:
    """`run_billing` with the installation's issuer country, chunk size and throttle, as the API, the CLI,
    the scheduler and the pages start it. `options`: finalize and the callbacks."""
    return run_billing(
        period,
        actor,
        settings["DAAS_ISSUER_COUNTRY"],
        chunk_size=settings["DAAS_BILLING_CHUNK_SIZE"],
        throttle_ms=settings["DAAS_BILLING_THROTTLE_MS"],
        **options,
    )
