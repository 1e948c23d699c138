"""The monthly billing run: one draft invoice per contract active in the period, computed set-based.

It reads the whole period in a handful of queries (`measure`), rates each contract in memory (`rating`,
`tax`), and writes invoices in chunks (`PeriodBilling`), which its use case commits one by one: a run
killed part-way keeps its finished chunks and the next run recomputes the rest, ending with the invoices
an uninterrupted run gives. Running
again recomputes drafts and leaves finalized invoices alone. Two runs of one period at once meet at the
unique (contract, period) key and at row locks on the chunk's invoices, so each contract gets one invoice.

No contract's data stops the run for the others: a contract whose usage cannot be read, that cannot be
rated, or whose invoice cannot be written is recorded with the reason (`billing_run_errors`) and skipped,
and the run ends `completed_with_errors`. A run renews its lease after every chunk; one whose lease ran
out lost its process, and the next run of the period marks it `interrupted` and says it completes it.

Like every domain, this module never commits: `daas.usecases.billing` decides when a step is durable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, delete, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import measure
from daas.billing.invoices import finalize_period_chunks
from daas.billing.models import BillingRun, BillingRunError, Invoice, InvoiceLine, Quantity
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
from daas.billing.run_states import FAILED, INTERRUPTED, RUNNING, ended_status
from daas.billing.tax import decide_tax, tax_amount
from daas.contracts.terms import effective_minimum
from daas.core import clock
from daas.core.errors import Invalid
from daas.core.money import format_money
from daas.core.periods import Period
from daas.db import Money, insert_ignoring_conflicts
from daas.extensions import db

# What the invoice columns hold (exclusive bounds): a contract that would bill more cannot be invoiced.
AMOUNT_LIMIT = Decimal(10) ** (Money.precision - Money.scale)
QUANTITY_LIMIT = Decimal(10) ** (Quantity.precision - Quantity.scale)


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


class Unbillable(ValueError):
    """A contract's invoice cannot be made from its data (it would not fit an invoice)."""


class _Measurements:
    """Everything a run needs to know about the period, read once; `failures` holds the contracts whose
    usage could not be read, with the reason."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.failures: dict[int, str] = {}
        self.plans = measure.plans()
        self.deployments = measure.deployments_in(period)
        self.late: dict[int, list[measure.BilledQuantity]] = defaultdict(list)
        for billed in measure.late_usage_candidates(period):
            self.late[billed.contract_id].append(billed)
        active = measure.contracts_billed_in(period)
        active_ids = {c.id for c in active}
        ended_with_late_usage = measure.contracts_by_id(set(self.late) - active_ids)
        self.contracts = sorted([*active, *ended_with_late_usage], key=lambda c: c.id)
        self.customers = measure.customers({c.customer_id for c in self.contracts})
        self.usage = self._usage(period, [c.id for c in self.contracts], None, "usage")
        self.late_now: dict[Period, dict[int, dict[int, Decimal]]] = {}
        by_period: dict[Period, list[tuple[int, int]]] = defaultdict(list)
        for candidates in self.late.values():
            for billed in candidates:
                by_period[billed.period].append((billed.contract_id, billed.metric_id))
        for usage_period, pairs in sorted(by_period.items()):
            contract_ids = [contract_id for contract_id, _ in pairs]
            self.late_now[usage_period] = self._usage(usage_period, contract_ids, pairs, "late usage")

    def _usage(
        self, period: Period, contract_ids: Sequence[int], pairs: Sequence[tuple[int, int]] | None, what: str
    ) -> dict[int, dict[int, Decimal]]:
        usage, errors = measure.usage_of_contracts(period.starts_at, period.ends_at, contract_ids, pairs)
        for contract_id, error in errors.items():
            self.failures.setdefault(contract_id, f"Its {what} of {period} could not be read: {error}")
        return usage


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
    _check_fits(lines, subtotal + tax_due, plan.currency)
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


def _check_fits(lines: Sequence[Line], total: Decimal, currency: str) -> None:
    """Refuse an invoice whose amounts or quantities are beyond what its columns hold: the database would
    refuse the chunk's statement, and the message says which line it is."""
    limit = format_money(AMOUNT_LIMIT, currency)
    for line in lines:
        if abs(line.amount) >= AMOUNT_LIMIT:
            raise Unbillable(
                f"“{line.description}” comes to {format_money(line.amount, currency)} {currency}; an "
                f"invoice holds amounts below {limit} {currency}."
            )
        for quantity in (line.quantity, line.usage_quantity):
            if quantity is not None and abs(quantity) >= QUANTITY_LIMIT:
                raise Unbillable(
                    f"“{line.description}” has a quantity of {quantity:f}; an invoice line holds "
                    f"quantities below {QUANTITY_LIMIT:f}."
                )
    if abs(total) >= AMOUNT_LIMIT:
        raise Unbillable(
            f"The invoice comes to {format_money(total, currency)} {currency}; an invoice holds amounts "
            f"below {limit} {currency}."
        )


def _describe(error: Exception) -> str:
    return str(error) if isinstance(error, Unbillable) else f"{type(error).__name__}: {error}"


def _compute_chunk(
    m: _Measurements, chunk: Sequence[measure.ContractTerms], issuer_country: str
) -> tuple[list[ComputedInvoice], dict[int, str]]:
    """The chunk's invoices, and the contracts that could not be measured or rated, with the reason."""
    computed: list[ComputedInvoice] = []
    failed: dict[int, str] = {}
    for contract in chunk:
        if contract.id in m.failures:
            failed[contract.id] = m.failures[contract.id]
            continue
        try:
            invoice = compute_invoice(m, contract, issuer_country)
        except Exception as error:  # one contract's data must not stop the run: it is recorded
            failed[contract.id] = f"It could not be rated: {_describe(error)}"[:2000]
            continue
        if invoice is not None:
            computed.append(invoice)
    return computed, failed


def _write_isolating(
    period: Period, run_id: int, computed: Sequence[ComputedInvoice]
) -> tuple[int, int, dict[int, str]]:
    """`_write` for the chunk in a savepoint; if the database refuses it, each invoice again in its own
    savepoint, so one contract's invoice that cannot be written leaves the others written."""
    try:
        with db.session.begin_nested():
            return (*_write(period, run_id, computed), {})
    except DBAPIError as error:
        if error.connection_invalidated:
            raise
    created = updated = 0
    failed: dict[int, str] = {}
    for invoice in computed:
        try:
            with db.session.begin_nested():
                one_created, one_updated = _write(period, run_id, [invoice])
        except DBAPIError as error:
            if error.connection_invalidated:
                raise
            failed[invoice.contract_id] = _write_error(error)
            continue
        created += one_created
        updated += one_updated
    return created, updated, failed


def _write_error(error: DBAPIError) -> str:
    return f"Its invoice could not be written: {measure.read_error(error)}"


def _record_failures(run_id: int, failed: Mapping[int, str]) -> None:
    if failed:
        db.session.execute(
            insert(BillingRunError),
            [{"run_id": run_id, "contract_id": cid, "error": error} for cid, error in sorted(failed.items())],
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
                "status": lifecycle.DRAFT,
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
    drafts = {row.contract_id: row.id for row in invoices if row.status == lifecycle.DRAFT}
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


def check_period_ended(period: Period, today: date) -> None:
    """Only a month that has ended can be billed: its usage and device-days are known. (The billing runs
    page previews the current month as an estimate.)"""
    if period.end > today:
        raise Invalid.field(
            "period", f"{period} has not ended yet: it can be billed from {period.end.isoformat()}."
        )


def _beat(run: BillingRun, stale_after: timedelta) -> None:
    """The heartbeat: this run's process is alive, so it is running (even if another run marked it
    interrupted while it was slow) and holds its lease a while longer."""
    now = clock.now()
    run.status, run.heartbeat_at, run.lease_until = RUNNING, now, now + stale_after


def _take_over_interrupted(run: BillingRun, period: Period) -> None:
    """Mark the period's runs whose lease ran out as interrupted, and record on `run` the latest
    interrupted run that no run completes yet: `run` recomputes every contract, so it completes it."""
    now = clock.now()
    db.session.execute(
        update(BillingRun)
        .where(
            BillingRun.period == period.name,
            BillingRun.status == RUNNING,
            BillingRun.lease_until < now,
            BillingRun.id != run.id,
        )
        .values(
            status=INTERRUPTED,
            finished_at=func.coalesce(BillingRun.heartbeat_at, BillingRun.started_at),
            error=(
                "Interrupted: its process stopped (no heartbeat in time); "
                f"billing run {run.id} of {period} completes it."
            ),
        )
    )
    later = aliased(BillingRun)
    run.completes_run_id = db.session.scalar(
        select(func.max(BillingRun.id)).where(
            BillingRun.period == period.name,
            BillingRun.status == INTERRUPTED,
            BillingRun.id < run.id,
            ~exists().where(
                later.period == BillingRun.period,
                later.id != run.id,
                later.completes_run_id >= BillingRun.id,
            ),
        )
    )


def close_dead_runs(period: Period, actor: str) -> int:
    """Runs of `period` by `actor` left running by a process that died, for an actor of which only one
    run can be alive at a time (a scheduled job: one scheduler holds its lease): any such row is dead,
    whatever its own lease says. They are closed as interrupted, and the next run records that it
    completes them. Returns how many."""
    return db.session.execute(
        update(BillingRun)
        .where(BillingRun.period == period.name, BillingRun.actor == actor, BillingRun.status == RUNNING)
        .values(
            status=INTERRUPTED,
            error="Interrupted: the scheduler running it stopped; a later run of this period carries on.",
            finished_at=clock.now(),
        )
    ).rowcount


def open_run(period: Period, actor: str, stale_after: timedelta) -> BillingRun:
    """A new run of a period that has ended, holding its lease for `stale_after`; the period's runs whose
    lease ran out are marked interrupted, and the new run records the one it completes. The caller
    commits it before any work: finance sees the run while it works, and a run that dies leaves it."""
    check_period_ended(period, clock.today())
    run = BillingRun(period=period.name, status=RUNNING, actor=actor)
    _beat(run, stale_after)
    db.session.add(run)
    db.session.flush()
    _take_over_interrupted(run, period)
    return run


@dataclass(frozen=True)
class RunSettings:
    """How this installation runs billing: the issuer's country (for VAT), chunk size, throttle, heartbeat."""

    issuer_country: str
    chunk_size: int = 1000
    throttle_ms: int = 0
    stale_after: timedelta = timedelta(seconds=600)


class PeriodBilling:
    """The work of one run on its period, a step at a time: measure the period, write its drafts a chunk
    at a time, finalize them a chunk at a time, finish. Each step renews the run's lease and flushes; the
    caller commits after each (that is what makes a run resumable: a run killed part-way keeps its
    finished chunks). Contracts that cannot be billed are recorded on the run and skipped."""

    def __init__(self, run: BillingRun, period: Period, settings: RunSettings) -> None:
        self.run = run
        self.period = period
        self.settings = settings
        self.failed: dict[int, str] = {}
        self._measured: _Measurements | None = None  # set by `measure`

    def measure(self) -> int:
        """Read the whole period (usage, deployments, plans) once. Returns how many contracts it bills."""
        self._measured = _Measurements(self.period)
        self.run.contracts = len(self._measured.contracts)
        _beat(self.run, self.settings.stale_after)
        return self.run.contracts

    def chunks(self) -> Iterator[int]:
        """Create or recompute the drafts of a chunk of contracts at a time, yielding after each how many
        contracts it did (billed or recorded as failed). Measures the period first if `measure` was not
        called."""
        if self._measured is None:
            self.measure()
        measured, run = self._measured, self.run
        for chunk in _chunks(measured.contracts, self.settings.chunk_size):
            computed, chunk_failed = _compute_chunk(measured, chunk, self.settings.issuer_country)
            created, updated, write_failed = _write_isolating(self.period, run.id, computed)
            chunk_failed.update(write_failed)
            _record_failures(run.id, chunk_failed)
            self.failed.update(chunk_failed)
            run.invoices_created += created
            run.invoices_updated += updated
            run.processed += len(chunk)
            _beat(run, self.settings.stale_after)
            yield len(chunk)

    def finalize_chunks(self) -> Iterator[int]:
        """Finalize the period's drafts a chunk at a time (numbers are taken in each chunk's transaction),
        but those of the contracts this run could not bill: their earlier drafts are left for finance to
        look at. Yields how many each chunk finalized."""
        for finalized in finalize_period_chunks(self.period, self.settings.chunk_size, excluding=self.failed):
            self.run.invoices_finalized += finalized
            _beat(self.run, self.settings.stale_after)
            yield finalized

    def finish(self) -> None:
        """Every contract was done: the run completed, with errors when it skipped some."""
        self.run.status = ended_status(len(self.failed))
        self.run.finished_at = clock.now()


def mark_stopped(run_id: int, period: Period, reason: object) -> None:
    """Record that a run was stopped part-way (at its process's request), after the caller rolled back
    the chunk it was in: the next run of the period completes it."""
    _end_early(run_id, INTERRUPTED, f"Stopped part-way ({reason}); the next run of {period} completes it.")


def mark_failed(run_id: int, error: object) -> None:
    """Record that a run failed, with its error, after the caller rolled back the chunk it was in."""
    _end_early(run_id, FAILED, str(error))


def _end_early(run_id: int, status: str, error: str) -> None:
    run = db.session.get(BillingRun, run_id)
    if run is not None:
        run.status, run.error, run.finished_at = status, error[:2000], clock.now()
        db.session.flush()
