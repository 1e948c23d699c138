"""One-off charges on invoices: which pending charges a run of a period bills, and binding them to the
invoice that bills them when it is finalized.

The rule: a run of period P bills a contract's pending charges dated before P's end that are not on a
draft invoice of an earlier period. So a charge is billed on the invoice of the period holding its day,
or, when that invoice is finalized already (or the charge was added later), on the next invoice computed,
including the invoice of an ended contract for the charge's own period; and a draft of an earlier period
keeps its charges for itself. Drafts are recomputed from the charges as they are, so a recomputation never
loses or doubles a charge's line.

Two drafts can still hold one charge (the November run computed its draft before October's was computed).
What decides is finalization: it locks the charges of each draft, and a draft with a charge that is no
longer pending (waived or disputed since, or billed by the other invoice) is not finalized; the reason says
so, and running its billing again computes it without that charge. The charges of the drafts that are
finalized are marked billed with their invoice, by an update that takes only pending charges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, select

from daas.billing import invoice_lifecycle
from daas.billing.models import Invoice, InvoiceLine
from daas.charges import lifecycle
from daas.charges.models import OneOffCharge
from daas.charges.services import lock_charges, mark_billed
from daas.core.errors import Conflict, NotFound
from daas.core.periods import Period
from daas.extensions import db


@dataclass(frozen=True)
class PendingCharge:
    id: int
    contract_id: int
    description: str
    amount: Decimal
    on: date


def pending_charges(
    period: Period, contracts: tuple[int, int] | None = None
) -> dict[int, list[PendingCharge]]:
    """contract id -> the pending charges a run of `period` bills (the module's rule), by day and id; of
    the contracts with ids in `contracts` ([first, last]; None: every contract)."""
    within = () if contracts is None else (OneOffCharge.contract_id.between(*contracts),)
    on_earlier_draft = exists().where(
        InvoiceLine.charge_id == OneOffCharge.id,
        Invoice.id == InvoiceLine.invoice_id,
        Invoice.status == invoice_lifecycle.DRAFT,
        Invoice.period < period.name,
    )
    rows = db.session.execute(
        select(
            OneOffCharge.id,
            OneOffCharge.contract_id,
            OneOffCharge.description,
            OneOffCharge.amount,
            OneOffCharge.charge_on,
        )
        .where(
            OneOffCharge.status == lifecycle.PENDING,
            OneOffCharge.charge_on < period.end,
            ~on_earlier_draft,
            *within,
        )
        .order_by(OneOffCharge.contract_id, OneOffCharge.charge_on, OneOffCharge.id)
    )
    result: dict[int, list[PendingCharge]] = defaultdict(list)
    for row in rows:
        result[row.contract_id].append(PendingCharge(*row))
    return dict(result)


def _charges_on(invoice_ids: Iterable[int]) -> dict[int, list[int]]:
    """invoice id -> the ids of the charges its lines bill."""
    ids = list(invoice_ids)
    result: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return result
    rows = db.session.execute(
        select(InvoiceLine.invoice_id, InvoiceLine.charge_id)
        .where(InvoiceLine.invoice_id.in_(ids), InvoiceLine.charge_id.is_not(None))
        .order_by(InvoiceLine.charge_id)
    )
    for invoice_id, charge_id in rows:
        result[invoice_id].append(charge_id)
    return result


def _why_not(charge: OneOffCharge, invoice: Invoice) -> str:
    if charge.status == lifecycle.BILLED and charge.invoice_id is not None:
        number = db.session.scalar(select(Invoice.number).where(Invoice.id == charge.invoice_id))
        what = f"billed on invoice {number}"
    else:
        what = charge.status
    return (
        f"Charge {charge.id} was {what} after this draft was computed; run the billing of {invoice.period} "
        "again."
    )


@dataclass(frozen=True)
class ChargeCheck:
    """What finalizing these drafts does with their charges: the charges each draft bills (locked, all
    pending), and the drafts that cannot be finalized, with the reason."""

    billing: dict[int, list[int]]
    refused: dict[int, str]


def check_charges(drafts: Sequence[Invoice]) -> ChargeCheck:
    """Lock the charges the drafts bill (in id order, after the drafts' own locks: concurrent
    finalizations take turns) and find the drafts holding one that is no longer pending."""
    on_drafts = _charges_on(draft.id for draft in drafts)
    locked = lock_charges(charge_id for ids in on_drafts.values() for charge_id in ids)
    billing: dict[int, list[int]] = {}
    refused: dict[int, str] = {}
    for draft in drafts:
        ids = on_drafts.get(draft.id, [])
        stale = [locked[charge_id] for charge_id in ids if locked[charge_id].status != lifecycle.PENDING]
        if stale:
            refused[draft.id] = _why_not(stale[0], draft)
        elif ids:
            billing[draft.id] = ids
    return ChargeCheck(billing, refused)


def bill_charges(check: ChargeCheck, invoices: Sequence[Invoice]) -> None:
    """Bind the charges of these invoices, being finalized (numbered), to them."""
    numbers = {invoice.id: invoice.number for invoice in invoices}
    mark_billed(
        {invoice_id: ids for invoice_id, ids in check.billing.items() if invoice_id in numbers},
        {invoice_id: f"Billed on invoice {number}." for invoice_id, number in numbers.items()},
    )


def charge_line(charge: OneOffCharge) -> InvoiceLine:
    """The line of the invoice that billed the charge (409 for a charge no invoice billed)."""
    if charge.invoice_id is None:
        raise Conflict(
            f"Charge {charge.id} is not billed: no invoice holds it.",
            errors={"status": [f"The charge is {charge.status}."]},
        )
    line = db.session.scalar(
        select(InvoiceLine).where(
            and_(InvoiceLine.invoice_id == charge.invoice_id, InvoiceLine.charge_id == charge.id)
        )
    )
    if line is None:
        raise NotFound(f"Invoice {charge.invoice_id} has no line of charge {charge.id}.")
    return line
