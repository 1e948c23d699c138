"""Writing a chunk of a billing run's computed invoices to the database: drafts created or recomputed in
a few set-based statements (finalized invoices left alone), and the contracts that could not be billed
recorded on the run (`billing_run_errors`).

It lives apart from computing the invoices (`daas.billing.run_compute`) and from the run's lifecycle
(`daas.billing.run`) because this is where the database can refuse a chunk: the chunk is written in a
savepoint, and if refused, each invoice again in its own, so one contract's invoice that cannot be
written leaves the others written. Like every domain, it never commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import measure
from daas.billing.models import BillingRunError, Invoice, InvoiceLine
from daas.billing.rating import ZERO
from daas.billing.run_compute import ComputedInvoice
from daas.core.periods import Period
from daas.db import insert_new_rows, insert_rows
from daas.extensions import db


def write_isolating(
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


def record_failures(run_id: int, failed: Mapping[int, str]) -> None:
    if failed:
        db.session.execute(
            insert(BillingRunError),
            [{"run_id": run_id, "contract_id": cid, "error": error} for cid, error in sorted(failed.items())],
        )


def _amounts(c: ComputedInvoice, run_id: int) -> dict[str, object]:
    """An invoice's columns that a run computes, by column name."""
    return {
        "customer_id": c.customer.id,
        "currency": c.currency,
        "subtotal": c.subtotal,
        "tax_rate": c.tax_rate,
        "tax_note": c.tax_note,
        "tax_amount": c.tax_amount,
        "total": c.total,
        "amount_due": c.total,
        "customer_name": c.customer.name,
        "customer_country": c.customer.country,
        "customer_vat_id": c.customer.vat_id,
        "customer_email": c.customer.billing_email,
        "billing_run_id": run_id,
    }


def _line_rows(invoice_ids: Mapping[int, int], computed: Sequence[ComputedInvoice]) -> list[dict]:
    return [
        {
            "invoice_id": invoice_ids[c.contract_id],
            "position": position,
            "kind": line.kind,
            "description": line.description,
            "metric": line.metric,
            "quantity": line.quantity,
            "unit_amount": line.unit_amount,
            "unit_code": line.unit_code,
            "price": line.price,
            "base_quantity": line.base_quantity,
            "amount": line.amount,
            "usage_period": line.usage_period,
            "usage_quantity": line.usage_quantity,
            "charge_id": line.charge_id,
            "plan_code": line.plan_code,
            "usage_window_start": line.usage_window_start,
        }
        for c in computed
        for position, line in enumerate(c.lines)
    ]


def _write(period: Period, run_id: int, computed: Sequence[ComputedInvoice]) -> tuple[int, int]:
    """Create or recompute the drafts of one chunk; finalized invoices are left alone. (created, updated)

    New drafts are inserted with their amounts; the chunk's invoices that existed are locked, and those
    still drafts recomputed: their lines replaced and their amounts updated. Lines go in by COPY on
    PostgreSQL (`insert_rows`)."""
    if not computed:
        return 0, 0
    table = Invoice.__table__
    new = insert_new_rows(
        table,
        [
            {
                "contract_id": c.contract_id,
                "period": period.name,
                "status": lifecycle.DRAFT,
                "credited": ZERO,
                "amount_paid": ZERO,
                **_amounts(c, run_id),
            }
            for c in computed
        ],
        ("contract_id", "period"),
        (table.c.contract_id, table.c.id),
    )
    created = {row.contract_id: row.id for row in new}
    # Lock the chunk's other invoices in id order: a concurrent run of the period waits here, then
    # recomputes. (The rows just inserted are this transaction's until it commits.)
    existing = [c.contract_id for c in computed if c.contract_id not in created]
    invoices = (
        db.session.execute(
            select(Invoice.id, Invoice.contract_id, Invoice.status)
            .where(Invoice.period == period.name, Invoice.contract_id.in_(existing))
            .order_by(Invoice.id)
            .with_for_update()
        ).all()
        if existing
        else []
    )
    drafts = {row.contract_id: row.id for row in invoices if row.status == lifecycle.DRAFT}
    recomputed = [c for c in computed if c.contract_id in drafts]
    if drafts:
        db.session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id.in_(drafts.values())))
    written = {**created, **drafts}
    # A draft may have no lines at all (no device served, no metered charge).
    insert_rows(InvoiceLine.__table__, _line_rows(written, [c for c in computed if c.contract_id in written]))
    if recomputed:
        # Bound as b_<column>: an UPDATE's parameters cannot share its columns' names.
        amounts = [{f"b_{k}": v for k, v in _amounts(c, run_id).items()} for c in recomputed]
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("invoice_id"))
            .values({**{key[2:]: bindparam(key) for key in amounts[0]}, "computed_at": func.now()}),
            [
                {"invoice_id": drafts[c.contract_id], **row}
                for c, row in zip(recomputed, amounts, strict=True)
            ],
        )
    return len(created), len(recomputed)
