"""Credit notes: the one way to correct or cancel an issued invoice (documents.md).

A credit note credits lines of its invoice (part of a line, or all that is left of it) or an amount of
the invoice, net, as invoice lines are; the VAT of the invoice's rate is added, `round_half_up(net ×
rate)`, so the EN 16931 rule holds on the credit note itself. The last credit note of an invoice takes
exactly the VAT that is left, so crediting everything brings the invoice to zero to the cent. Voiding an
issued invoice issues the full credit note of what is left, with the reason, and the invoice keeps its
number. Every change is decided under the invoice's row lock, which payments take too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.document_builder import document_line
from daas.billing.document_events import record_credit_note_issued
from daas.billing.invoices import lock_invoice, settle_invoice, take_numbers
from daas.billing.issuer import Issuer
from daas.billing.issuing import issue_credit_note_files
from daas.billing.models import CREDIT, CreditNote, CreditNoteLine, Invoice, InvoiceLine
from daas.core import clock, money
from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import Money
from daas.extensions import db

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class LineCredit:
    """Credit `amount` (net) of the invoice line `invoice_line_id`."""

    invoice_line_id: int
    amount: Decimal


@dataclass(frozen=True)
class Creditable:
    """What is left to credit on an invoice: net, its VAT, and per line."""

    net: Decimal
    tax: Decimal
    lines: dict[int, Decimal]


def creditable(invoice: Invoice) -> Creditable:
    """What credit notes have not credited yet on the invoice, in total and per line."""
    credited_net, credited_tax = db.session.execute(
        select(
            func.coalesce(func.sum(CreditNote.net_amount), 0),
            func.coalesce(func.sum(CreditNote.tax_amount), 0),
        ).where(CreditNote.invoice_id == invoice.id)
    ).one()
    per_line = dict(
        db.session.execute(
            select(CreditNoteLine.invoice_line_id, func.sum(CreditNoteLine.amount, type_=Money))
            .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
            .where(CreditNote.invoice_id == invoice.id, CreditNoteLine.invoice_line_id.is_not(None))
            .group_by(CreditNoteLine.invoice_line_id)
        ).all()
    )
    lines = {
        line.id: line.amount - (per_line.get(line.id) or ZERO)
        for line in db.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.position)
        )
    }
    return Creditable(
        invoice.subtotal - Decimal(credited_net), invoice.tax_amount - Decimal(credited_tax), lines
    )


def _amount(value: Decimal, currency: str, field: str) -> Decimal:
    if money.decimal_places(value) > money.exponent(currency):
        raise Invalid.field(field, f"{currency} amounts have {money.exponent(currency)} decimals.")
    if value <= 0:
        raise Invalid.field(field, "Must be more than 0.")
    return value


def _line_credits(
    invoice: Invoice, left: Creditable, credits: Sequence[LineCredit]
) -> list[tuple[InvoiceLine, Decimal]]:
    by_id = {
        line.id: line
        for line in db.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.position)
        )
    }
    chosen: list[tuple[InvoiceLine, Decimal]] = []
    seen: set[int] = set()
    for index, credit in enumerate(credits):
        where = f"lines.{index}"
        line = by_id.get(credit.invoice_line_id)
        if line is None:
            raise Invalid(
                {
                    "lines": {
                        str(index): {
                            "invoice_line_id": [f"No line {credit.invoice_line_id} on this invoice."]
                        }
                    }
                }
            )
        if line.id in seen:
            raise Invalid.field(f"{where}.invoice_line_id", "Each line once per credit note.")
        seen.add(line.id)
        amount = _amount(credit.amount, invoice.currency, f"{where}.amount")
        most = left.lines[line.id]
        if amount > most:
            shown = money.format_money(max(most, ZERO), invoice.currency)
            raise Invalid(
                {"lines": {str(index): {"amount": [f"At most {shown}, what is left of the line."]}}}
            )
        chosen.append((line, amount))
    return chosen


def _note_lines(
    invoice: Invoice,
    left: Creditable,
    chosen: list[tuple[InvoiceLine, Decimal]],
    amount: Decimal | None,
    reason: str,
) -> list[CreditNoteLine]:
    """The credit note's lines: a whole line left as it was invoiced keeps its quantity and price (so it
    reads like the invoice's line), a part of one is one unit at the amount; an amount is one unit too."""
    lines = []
    for line, credited in chosen:
        whole = credited == line.amount and left.lines[line.id] == line.amount
        written = document_line(line.position, line)
        quantity, unit, price, base = (
            (written.quantity, written.unit_code, written.price, written.base_quantity)
            if whole
            else (ONE, "C62", credited, ONE)
        )
        lines.append(
            CreditNoteLine(
                position=len(lines) + 1,
                invoice_line_id=line.id,
                kind=line.kind,
                description=line.description[:300],
                quantity=quantity,
                unit_code=unit,
                price=price,
                base_quantity=base,
                amount=credited,
            )
        )
    if amount is not None:
        lines.append(
            CreditNoteLine(
                position=len(lines) + 1,
                kind=CREDIT,
                description=reason[:300],
                quantity=ONE,
                unit_code="C62",
                price=amount,
                base_quantity=ONE,
                amount=amount,
            )
        )
    return lines


def _issue(
    invoice: Invoice,
    lines: list[CreditNoteLine],
    left: Creditable,
    reason: str,
    actor: str,
    issuer: Issuer,
    voids: bool,
) -> CreditNote:
    net = sum((line.amount for line in lines), ZERO)
    tax = lifecycle.credit_tax(net, left.net, left.tax, invoice.tax_rate, invoice.currency)
    today = clock.today()
    note = CreditNote(
        number=take_numbers("CN", today.year, 1)[0],
        invoice_id=invoice.id,
        amount=net + tax,
        net_amount=net,
        tax_amount=tax,
        voids_invoice=voids,
        currency=invoice.currency,
        reason=reason,
        status="issued",
        issued_on=today,
        actor=actor,
    )
    db.session.add(note)
    db.session.flush()
    for line in lines:
        line.credit_note_id = note.id
    db.session.add_all(lines)
    invoice.credited += note.amount
    settle_invoice(invoice)
    db.session.flush()
    db.session.refresh(note, ["lines"])
    record_credit_note_issued(note, invoice, issue_credit_note_files(note, invoice, issuer))
    return note


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise Invalid.field("reason", "Say why the invoice is credited.")
    return reason.strip()


def create_credit_note(
    invoice_id: int,
    reason: str,
    actor: str,
    issuer: Issuer,
    *,
    amount: Decimal | None = None,
    lines: Sequence[LineCredit] = (),
) -> CreditNote:
    """Credit lines of an open or paid invoice, or an amount of it (net), up to what is left to credit;
    the VAT of the invoice's rate is added. Its PDF and e-invoices are rendered and kept as it is issued."""
    reason = _reason(reason)
    if (amount is None) == (not lines):
        raise Invalid.field("amount", "Credit either an amount or lines of the invoice, not both.")
    invoice = lock_invoice(invoice_id)
    lifecycle.next_status(invoice.status, lifecycle.CREDIT, invoice_id)
    left = creditable(invoice)
    chosen = _line_credits(invoice, left, lines)
    if amount is not None:
        amount = _amount(amount, invoice.currency, "amount")
    net = sum((credited for _, credited in chosen), amount or ZERO)
    if net > left.net:
        shown = money.format_money(max(left.net, ZERO), invoice.currency)
        raise Invalid.field(
            "lines" if amount is None else "amount",
            f"At most {shown} {invoice.currency} (net) is left to credit on invoice {invoice.number}.",
        )
    return _issue(
        invoice, _note_lines(invoice, left, chosen, amount, reason), left, reason, actor, issuer, False
    )


def void_credit(left: Creditable) -> tuple[list[tuple[int, Decimal]], Decimal | None]:
    """What the full credit note of a void credits: each invoice line as it is left (line id, amount), or,
    after corrections below zero on the invoice, what is left as one amount; nothing when nothing is."""
    rests = [(line_id, rest) for line_id, rest in left.lines.items() if rest != 0]
    if all(rest > 0 for _, rest in rests) and sum((rest for _, rest in rests), ZERO) == left.net:
        return rests, None
    return [], (left.net if left.net > 0 else None)


def void_invoice(invoice_id: int, reason: str, actor: str, issuer: Issuer) -> CreditNote:
    """Cancel an open invoice nothing was paid against: the full credit note of what is left to credit
    is issued with the reason, and the invoice is void (it keeps its number). Decided under the invoice's
    row lock, which payments take too, so a transfer recorded at the same moment either comes first (and
    the void is refused: credit it instead, which refunds) or finds the invoice void (and is refused)."""
    reason = _reason(reason)
    invoice = lock_invoice(invoice_id)
    voided = lifecycle.next_status(invoice.status, lifecycle.VOID_INVOICE, invoice_id)
    if invoice.amount_paid > 0:
        paid = money.format_money(invoice.amount_paid, invoice.currency)
        raise Conflict(
            f"Invoice {invoice.number} has payments ({paid} {invoice.currency}); an invoice that was paid "
            "cannot be voided: issue a credit note instead.",
            errors={"payments": [f"{paid} {invoice.currency} paid."]},
        )
    if any(attempt.status in ("pending", "processing") for attempt in invoice.attempts):
        raise Conflict(
            f"Invoice {invoice.number} has a card payment in progress; wait for its outcome before voiding.",
            errors={"payments": ["A card payment is in progress."]},
        )
    left = creditable(invoice)
    line_credits, amount = void_credit(left)
    lines = _note_lines(
        invoice,
        left,
        [(db.session.get(InvoiceLine, line_id), rest) for line_id, rest in line_credits],
        amount,
        reason,
    )
    note = None
    if lines:
        note = _issue(invoice, lines, left, reason, actor, issuer, True)
    invoice.status, invoice.voided_at, invoice.next_collection_at = voided, clock.now(), None
    settle_invoice(invoice)
    db.session.flush()
    return note


def get_credit_note(note_id: int) -> CreditNote:
    note = db.session.get(CreditNote, note_id)
    if note is None:
        raise NotFound(f"No credit note {note_id}.")
    return note


def invoice_credit_note(invoice_id: int, note_id: int) -> CreditNote:
    note = db.session.get(CreditNote, note_id)
    if note is None or note.invoice_id != invoice_id:
        raise NotFound(f"No credit note {note_id} on invoice {invoice_id}.")
    return note
