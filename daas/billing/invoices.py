"""Invoices after the run: find, finalize (gapless numbers), void, credit notes, and documents.

Numbers come from `document_sequences`, one row per series and year, incremented in the same
transaction that finalizes the invoices (or issues the credit note): a rollback gives the numbers back,
so the series has no gaps, and the row lock makes concurrent finalizations take turns.

Finalizing binds the one-off charges a draft bills to it (daas.billing.charge_lines). A draft holding a
charge that is no longer pending is not finalized: finalizing it alone is refused (409) with the reason;
in a chunk it is left a draft and recorded on its billing run with the reason, and the others go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import selectinload

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.charge_lines import ChargeCheck, bill_charges, check_charges
from daas.billing.document_builder import snapshot_buyer
from daas.billing.document_events import record_invoices_issued
from daas.billing.issuing import DocumentSettings, issue_invoice_files
from daas.billing.models import (
    BilledUsage,
    BillingRun,
    BillingRunError,
    CreditNote,
    DocumentSequence,
    Invoice,
    InvoiceLine,
)
from daas.billing.run_states import COMPLETED, COMPLETED_WITH_ERRORS, FINISHED, run_status
from daas.billing.tax import decide_tax
from daas.contracts.models import Contract
from daas.core import clock
from daas.core.errors import Conflict, NotFound
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.db import fetch_page, insert_ignoring_conflicts, upsert
from daas.extensions import db
from daas.pricing.models import Metric


def document_number(series: str, year: int, n: int) -> str:
    """How a document is numbered: INV-2026-000001, CN-2026-000001."""
    return f"{series}-{year}-{n:06d}"


def next_numbers(series: str, year: int, count: int) -> list[str]:
    """The `count` numbers a series would take next, as it stands now (a preview: nothing is taken)."""
    last = db.session.scalar(
        select(DocumentSequence.last_number).where(
            DocumentSequence.series == series, DocumentSequence.year == year
        )
    )
    return [document_number(series, year, n) for n in range((last or 0) + 1, (last or 0) + count + 1)]


def take_numbers(series: str, year: int, count: int) -> list[str]:
    """The next `count` numbers of a series in a year (INV-2026-000001), taken in this transaction."""
    db.session.execute(
        insert_ignoring_conflicts(DocumentSequence.__table__, "series", "year"),
        [{"series": series, "year": year, "last_number": 0}],
    )
    last = db.session.execute(
        update(DocumentSequence)
        .where(DocumentSequence.series == series, DocumentSequence.year == year)
        .values(last_number=DocumentSequence.last_number + count)
        .returning(DocumentSequence.last_number)
    ).scalar_one()
    return [document_number(series, year, n) for n in range(last - count + 1, last + 1)]


def get_run(run_id: int) -> BillingRun:
    run = db.session.get(BillingRun, run_id, options=[selectinload(BillingRun.failed_contracts)])
    if run is None:
        raise NotFound(f"No billing run {run_id}.")
    return run


def list_runs(offset: int = 0, limit: int = 50) -> tuple[list[BillingRun], int]:
    query = select(BillingRun).options(selectinload(BillingRun.failed_contracts))
    return fetch_page(query.order_by(BillingRun.id.desc()), offset, limit)


def get_invoice(invoice_id: int, customer_scope: int | None = None) -> Invoice:
    """An invoice; a customer sees its own, and never drafts (they are not issued yet)."""
    invoice = db.session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(selectinload(Invoice.lines), selectinload(Invoice.credit_notes))
    )
    hidden = customer_scope is not None and (
        invoice is None or invoice.customer_id != customer_scope or invoice.status == lifecycle.DRAFT
    )
    if invoice is None or hidden:
        raise NotFound(f"No invoice {invoice_id}.")
    return invoice


def list_invoices(
    period: str | None = None,
    contract_id: int | None = None,
    customer_id: int | None = None,
    status: str | None = None,
    customer_scope: int | None = None,
    offset: int = 0,
    limit: int = 50,
    overdue: ColumnElement[bool] | None = None,
) -> tuple[list[Invoice], int]:
    """Invoices by filters; `overdue` is a SQL condition (see daas.payments) when finance chases them."""
    query = select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.credit_notes))
    if overdue is not None:
        query = query.where(overdue)
    if customer_scope is not None:
        query = query.where(Invoice.customer_id == customer_scope, Invoice.status != lifecycle.DRAFT)
    query = query.where(*invoice_filters(period, contract_id, customer_id, status))
    return fetch_page(query.order_by(Invoice.period.desc(), Invoice.id), offset, limit)


def invoice_filters(
    period: str | None = None,
    contract_id: int | None = None,
    customer_id: int | None = None,
    status: str | None = None,
    billing_run_id: int | None = None,
) -> list[ColumnElement[bool]]:
    """The filters of invoice lists as SQL conditions (a blank one filters nothing), shared by the list
    and the totals finance sees beside it."""
    return [
        column == value
        for column, value in (
            (Invoice.period, period),
            (Invoice.contract_id, contract_id),
            (Invoice.customer_id, customer_id),
            (Invoice.status, status),
            (Invoice.billing_run_id, billing_run_id),
        )
        if value not in (None, "")
    ]


def _record_billed_usage(invoices: Sequence[Invoice]) -> None:
    """What each finalized invoice billed per metric, usage period and plan window (a period on one plan
    has one, from its first day): late usage is measured against it."""
    metric_ids = {code: metric_id for metric_id, code in db.session.execute(select(Metric.id, Metric.code))}
    ids = [invoice.id for invoice in invoices]
    by_id = {invoice.id: invoice for invoice in invoices}
    rows = [
        {
            "contract_id": by_id[line.invoice_id].contract_id,
            "metric_id": metric_ids[line.metric],
            "period_start": Period.parse(line.usage_period).start,
            "window_start": line.usage_window_start or Period.parse(line.usage_period).start,
            "quantity": line.usage_quantity,
            "invoice_id": line.invoice_id,
            "measured_at": by_id[line.invoice_id].computed_at,
        }
        for line in db.session.scalars(
            select(InvoiceLine).where(
                InvoiceLine.invoice_id.in_(ids), InvoiceLine.usage_quantity.is_not(None)
            )
        )
    ]
    if rows:
        db.session.execute(
            upsert(
                BilledUsage.__table__,
                ["contract_id", "metric_id", "period_start", "window_start"],
                ["quantity", "invoice_id", "measured_at"],
            ),
            rows,
        )


def settle_invoice(invoice: Invoice) -> None:
    """Apply the settle rule (`lifecycle.settle`) to an invoice after a payment or credit was counted on
    it: its amount due, and, when nothing is due any more, paid now (and no more card collection)."""
    settled = lifecycle.settle(invoice.status, invoice.total, invoice.credited, invoice.amount_paid)
    invoice.amount_due = settled.amount_due
    if settled.status != invoice.status and settled.status == lifecycle.PAID:
        invoice.paid_at, invoice.next_collection_at = clock.now(), None
    invoice.status = settled.status


def _finalize(
    invoices: Sequence[Invoice], on: date, documents: DocumentSettings, charges: ChargeCheck
) -> None:
    """Number and issue locked drafts, in id order: the buyer as it is now is recorded on each, their
    one-off charges (checked and locked, `charges`) are bound to them, their files are rendered and
    kept, and their `invoice.issued` events recorded. A zero total is settled at once."""
    customers = {
        customer.id: customer
        for customer in db.session.scalars(
            select(Customer).where(Customer.id.in_({invoice.customer_id for invoice in invoices}))
        )
    }
    contracts = {
        contract.id: contract
        for contract in db.session.scalars(
            select(Contract).where(Contract.id.in_({invoice.contract_id for invoice in invoices}))
        )
    }
    now = clock.now()
    for invoice, number in zip(invoices, take_numbers("INV", on.year, len(invoices)), strict=True):
        customer = customers[invoice.customer_id]
        invoice.number = number
        invoice.issued_on = on
        invoice.due_date = on + timedelta(days=customer.payment_terms_days)
        invoice.finalized_at = now
        snapshot_buyer(invoice, customer, contracts[invoice.contract_id])
        invoice.status = lifecycle.next_status(invoice.status, lifecycle.FINALIZE, invoice.id)
        settle_invoice(invoice)
    db.session.flush()
    _record_billed_usage(invoices)
    bill_charges(charges, invoices)
    record_invoices_issued(invoices, issue_invoice_files(_with_lines(invoices), documents))


def _with_lines(invoices: Sequence[Invoice]) -> list[Invoice]:
    """The invoices with their lines loaded (in one query), as their documents list them."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.id.in_([invoice.id for invoice in invoices]))
            .options(selectinload(Invoice.lines))
            .order_by(Invoice.id)
        )
    )


def lock_invoice(invoice_id: int) -> Invoice:
    """The invoice, its row locked until the transaction ends and its attributes read again under the
    lock: every change of an invoice's state starts here, so it decides on the state it changes, not on
    one read before a concurrent payment, void or credit note committed."""
    invoice = db.session.scalar(
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice is None:
        raise NotFound(f"No invoice {invoice_id}.")
    return invoice


def _lock_drafts(ids: Iterable[int]) -> list[Invoice]:
    """The drafts among these invoices, locked and read again (a concurrent run may have recomputed
    them): an invoice finalized meanwhile is no longer a draft, and is left out."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.id.in_(list(ids)), Invoice.status == lifecycle.DRAFT)
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def finalize_invoice(invoice_id: int, documents: DocumentSettings) -> Invoice:
    """Finalize one reviewed draft. Refused if the customer's VAT situation changed since it was computed
    (the draft would carry the wrong tax: run billing again first)."""
    invoice = lock_invoice(invoice_id)
    locked = _lock_drafts([invoice.id])
    if not locked:
        raise lifecycle.IllegalMove(invoice.status, lifecycle.FINALIZE, invoice_id)
    customer = db.session.get(Customer, invoice.customer_id)
    tax = decide_tax(
        documents.issuer.country,
        customer.country,
        customer.vat_id,
        Period.parse(invoice.period).end - timedelta(days=1),
    )
    if (tax.rate, tax.note) != (invoice.tax_rate, invoice.tax_note):
        raise Conflict(
            "The customer's VAT details changed since this draft was computed; run billing for "
            f"{invoice.period} again, then finalize.",
            errors={"tax_rate": ["Stale: recompute the draft."]},
        )
    charges = check_charges(locked)
    if invoice.id in charges.refused:
        raise Conflict(charges.refused[invoice.id], errors={"charges": [charges.refused[invoice.id]]})
    _finalize(locked, clock.today(), documents, charges)
    return invoice


def _record_refused(run_id: int, refused: dict[int, str]) -> None:
    """Record on the run the contracts whose drafts it could not finalize, with the reason (a reason
    given before for the same contract is replaced: the draft was tried again)."""
    db.session.execute(
        upsert(BillingRunError.__table__, ["run_id", "contract_id"], ["error"]),
        [{"run_id": run_id, "contract_id": cid, "error": error} for cid, error in sorted(refused.items())],
    )


def _finalize_chunks(
    condition: Any,
    chunk_size: int,
    documents: DocumentSettings,
    run_id: int,
    refused: dict[int, str] | None = None,
) -> Iterator[int]:
    """Finalize the drafts matching `condition` a chunk at a time, yielding how many each chunk
    finalized. The caller may commit after each chunk, so that a chunk's numbers are durable before the
    next is taken (a billing run does), or finish them all in one transaction.

    A draft whose one-off charges are no longer all pending stays a draft: its contract is recorded on
    run `run_id` with the reason (and in `refused`, contract id -> reason), and the others go on."""
    left_as_drafts: set[int] = set()
    while True:
        query = select(Invoice.id).where(condition, Invoice.status == lifecycle.DRAFT)
        if left_as_drafts:
            query = query.where(Invoice.id.not_in(sorted(left_as_drafts)))
        ids = db.session.scalars(query.order_by(Invoice.id).limit(chunk_size)).all()
        if not ids:
            return
        locked = _lock_drafts(ids)
        charges = check_charges(locked)
        if charges.refused:
            left_as_drafts |= set(charges.refused)
            by_contract = {i.contract_id: charges.refused[i.id] for i in locked if i.id in charges.refused}
            _record_refused(run_id, by_contract)
            if refused is not None:
                refused.update(by_contract)
        finalizing = [invoice for invoice in locked if invoice.id not in charges.refused]
        if finalizing:
            _finalize(finalizing, clock.today(), documents, charges)
        yield len(finalizing)


def finalize_period_chunks(
    period: Period,
    documents: DocumentSettings,
    run_id: int,
    chunk_size: int = 1000,
    excluding: Iterable[int] = (),
    refused: dict[int, str] | None = None,
) -> Iterator[int]:
    """Finalize every draft of a period a chunk at a time for run `run_id`, but those of the contracts
    `excluding` names (a run that could not bill them leaves their earlier drafts for finance to look
    at). Drafts whose charges changed are left, recorded on the run and in `refused`."""
    condition = Invoice.period == period.name
    if excluded := sorted(set(excluding)):
        condition = and_(condition, Invoice.contract_id.not_in(excluded))
    return _finalize_chunks(condition, chunk_size, documents, run_id, refused)


def finalize_run_chunks(run_id: int, documents: DocumentSettings, chunk_size: int = 1000) -> Iterator[int]:
    """Finalize the drafts a billing run computed a chunk at a time, counting them on the run: only a
    completed run that still owns its drafts (`check_run_finalizable`), checked before the first chunk.
    Yields how many each chunk finalized."""
    run = get_run(run_id)
    check_run_finalizable(run)
    return _counted(run, Invoice.billing_run_id == run_id, chunk_size, documents)


def _counted(run: BillingRun, condition: Any, chunk_size: int, documents: DocumentSettings) -> Iterator[int]:
    refused: dict[int, str] = {}
    for finalized in _finalize_chunks(condition, chunk_size, documents, run.id, refused):
        run.invoices_finalized += finalized
        _mark_refusals(run, refused)
        yield finalized


def _mark_refusals(run: BillingRun, refused: dict[int, str]) -> None:
    """Drafts a completed run could not finalize for their charges are among its failed contracts: it is
    completed with errors."""
    if refused and run.status == COMPLETED:
        run.status = COMPLETED_WITH_ERRORS


def finalize_run(run_id: int, documents: DocumentSettings, chunk_size: int = 1000) -> int:
    """Finalize the drafts a billing run computed (a later run of a period owns what it recomputed), all
    in the caller's transaction. Returns how many."""
    refused: dict[int, str] = {}
    finalized = sum(
        _finalize_chunks(Invoice.billing_run_id == run_id, chunk_size, documents, run_id, refused)
    )
    _mark_refusals(get_run(run_id), refused)
    return finalized


def check_period_reviewed(period: Period) -> None:
    """Finalizing a month on schedule needs a completed run of it first: its drafts are what finance
    reviewed, and finalizing without that review would bill blind."""
    reviewed = db.session.scalar(
        select(BillingRun.id)
        .where(BillingRun.period == period.name, BillingRun.status.in_(FINISHED))
        .limit(1)
    )
    if reviewed is None:
        raise Conflict(
            f"No completed billing run for {period.name}, so there are no reviewed drafts to finalize. "
            f"Run `flask --app wsgi daas bill {period.name}`, review, then finalize.",
            errors={"period": [f"No completed billing run for {period.name}."]},
        )


def superseding_run(run: BillingRun) -> int | None:
    """The later run of the period that owns the drafts this run computed: the latest run owning drafts
    of the period, or, when this run owns no draft any more, the latest run owning any of its invoices
    (it recomputed and finalized them). None while the run still owns its drafts."""
    later = and_(Invoice.period == run.period, Invoice.billing_run_id > run.id)
    last_owner = select(func.max(Invoice.billing_run_id))
    owner = db.session.scalar(last_owner.where(later, Invoice.status == lifecycle.DRAFT))
    if owner is None:
        owns_drafts = db.session.scalar(
            select(Invoice.id)
            .where(Invoice.billing_run_id == run.id, Invoice.status == lifecycle.DRAFT)
            .limit(1)
        )
        if owns_drafts is None:
            owner = db.session.scalar(last_owner.where(later))
    return owner


def check_run_finalizable(run: BillingRun) -> None:
    """A run's drafts can be finalized once it has completed (one still running would leave its later
    chunks' drafts behind), and only while it owns them: when a later run of the period recomputed the
    drafts, finalizing this one would do nothing, so it is refused, naming the run that owns them."""
    status = run_status(run)
    if status not in FINISHED:
        raise Conflict(
            f"Billing run {run.id} is {status.replace('_', ' ')}: only a completed run's drafts can be "
            "finalized.",
            errors={"status": [f"Is {status}, not completed."]},
        )
    owner = superseding_run(run)
    if owner is not None:
        owner_status = run_status(db.session.get(BillingRun, owner))
        then = (
            f"Finalize billing run {owner} instead."
            if owner_status in FINISHED
            else f"It is {owner_status}: run billing for {run.period} again, then finalize the new run."
        )
        raise Conflict(
            f"Billing run {run.id} of {run.period} was superseded: billing run {owner} recomputed the "
            f"period's drafts and owns them. {then}",
            errors={"id": [f"Superseded by billing run {owner}."]},
        )


def run_invoices(run_id: int) -> list[Invoice]:
    """The invoices a billing run computed, finalized or not."""
    return list(
        db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run_id).order_by(Invoice.id))
    )


def invoices_for_export(period: str, status: str | None = None) -> list[Invoice]:
    """A period's invoices with their lines and their credit notes (with theirs), for the CSV export."""
    query = (
        select(Invoice)
        .where(Invoice.period == period)
        .options(
            selectinload(Invoice.lines), selectinload(Invoice.credit_notes).selectinload(CreditNote.lines)
        )
        .order_by(Invoice.id)
    )
    if status:
        query = query.where(Invoice.status == status)
    return list(db.session.scalars(query))
