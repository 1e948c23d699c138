"""The invoice lifecycle as one explicit state machine, the settle rule, and the checks of the amounts
paid or credited against an invoice. Pure: plain values in and out, no database.

A draft is finalized into an open invoice; an open invoice is paid (by card or bank transfer), credited,
voided, or given up on by card collection (uncollectible, which a late bank transfer still pays). Every
change of an invoice's state is one named move of `MOVES`; a move not allowed in the invoice's state is
refused with the state it is in and what the move needs, which the API shows in its 409. Whatever was
paid or credited, what is still due is decided by one rule, `settle`, so the billing and payments domains
cannot disagree on when an invoice is paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from daas.core import money
from daas.core.errors import Conflict, Invalid

DRAFT = "draft"
OPEN = "open"
PAID = "paid"
VOID = "void"
UNCOLLECTIBLE = "uncollectible"
STATUSES = (DRAFT, OPEN, PAID, VOID, UNCOLLECTIBLE)

# Issued and still standing: what finance counts as invoiced (a draft is not issued, a void one is gone).
ISSUED = (OPEN, PAID, UNCOLLECTIBLE)
# Something may still be owed on it: what the receivables add up and finance chases.
OWING = (OPEN, UNCOLLECTIBLE)

FINALIZE = "finalize"
PAY = "pay"
CREDIT = "credit"
COLLECT = "collect"
MARK_UNCOLLECTIBLE = "mark_uncollectible"
SETTLE = "settle"
VOID_INVOICE = "void"
MOVES_IN_ORDER = (FINALIZE, PAY, CREDIT, COLLECT, MARK_UNCOLLECTIBLE, SETTLE, VOID_INVOICE)


@dataclass(frozen=True)
class Move:
    """The states a move may start from, the state it leads to (None: the invoice keeps its state, and
    `settle` then decides whether it is paid) and what the refusal says the move needs."""

    sources: frozenset[str]
    target: str | None
    needs: str


MOVES: dict[str, Move] = {
    # Numbered and issued; a zero total owes nothing and is paid at once (`settle`).
    FINALIZE: Move(frozenset({DRAFT}), OPEN, "only a draft can be finalized"),
    # A payment received; an uncollectible invoice may still be paid by transfer.
    PAY: Move(frozenset({OPEN, UNCOLLECTIBLE}), None, "payments go against open invoices"),
    # A credit note; on a paid invoice it is refunded.
    CREDIT: Move(frozenset({OPEN, PAID}), None, "credit notes go against open or paid invoices"),
    # A card collection (asked for by finance or due by the retry schedule).
    COLLECT: Move(frozenset({OPEN}), None, "only an open invoice is collected"),
    # Card collection gave up after its last retry.
    MARK_UNCOLLECTIBLE: Move(frozenset({OPEN}), UNCOLLECTIBLE, "only an open invoice becomes uncollectible"),
    # Nothing is due any more (paid and credited cover the total).
    SETTLE: Move(frozenset({OPEN, UNCOLLECTIBLE}), PAID, "only an invoice that is owed can be settled"),
    # Cancelled, keeping its number; corrections of paid or credited invoices are credit notes.
    VOID_INVOICE: Move(frozenset({OPEN}), VOID, "only an open, unpaid invoice can be voided"),
}


class IllegalMove(Conflict):
    """A move the invoice's state does not allow: a 409 on the invoice's status."""

    def __init__(self, status: str, move: str, invoice: object | None = None) -> None:
        subject = f"Invoice {invoice}" if invoice is not None else "The invoice"
        super().__init__(
            f"{subject} is {status}; {MOVES[move].needs}.", errors={"status": [f"The invoice is {status}."]}
        )
        self.status = status
        self.move = move

    @property
    def allowed(self) -> list[str]:
        return allowed_moves(self.status)


def allowed_moves(status: str) -> list[str]:
    return [move for move in MOVES_IN_ORDER if status in MOVES[move].sources]


def may(status: str, move: str) -> bool:
    return status in MOVES[move].sources


def next_status(status: str, move: str, invoice: object | None = None) -> str:
    """The state `move` leads to from `status`; raises IllegalMove (naming `invoice`, its id or number,
    when given) when the state does not allow it."""
    rule = MOVES[move]
    if status not in rule.sources:
        raise IllegalMove(status, move, invoice)
    return rule.target or status


# -- the settle rule ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    """An invoice's state and amount due once what was paid and credited against it is counted."""

    status: str
    amount_due: Decimal


def amount_due(total: Decimal, credited: Decimal, paid: Decimal) -> Decimal:
    """What is still owed: the total less what was credited and paid, never below zero."""
    return max(total - credited - paid, Decimal(0))


def settle(status: str, total: Decimal, credited: Decimal, paid: Decimal) -> Settlement:
    """THE settle rule: the amount due is `amount_due`; an invoice that is owed (open or uncollectible)
    with nothing due any more is paid. A void invoice owes nothing; other states keep their state."""
    if status == VOID:
        return Settlement(VOID, Decimal(0))
    due = amount_due(total, credited, paid)
    if due == 0 and may(status, SETTLE):
        return Settlement(next_status(status, SETTLE), due)
    return Settlement(status, due)


# -- amounts paid or credited -------------------------------------------------------------------------------


def creditable(total: Decimal, credited: Decimal) -> Decimal:
    """What credit notes may still credit: the part of the total not credited yet."""
    return total - credited


def credit_tax(net: Decimal, net_left: Decimal, tax_left: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The VAT of a credit note of `net`: `round_half_up(net × rate)`, as EN 16931 computes a document's
    VAT, except that the credit note taking all that is left takes exactly the VAT left, so crediting
    everything brings the invoice to zero to the cent."""
    return tax_left if net == net_left else money.round_money(net * rate, currency)


def _decimals_problem(amount: Decimal, currency: str) -> str | None:
    if money.decimal_places(amount) > money.exponent(currency):
        return f"{currency} amounts have {money.exponent(currency)} decimals."
    return None


def payment_amount_problem(amount: Decimal, currency: str, due: Decimal) -> str | None:
    """What is wrong with paying `amount` against an invoice with `due` still owed (None: nothing): it has
    no more decimals than the currency, is positive and at most the amount due."""
    problem = _decimals_problem(amount, currency)
    if problem is None and not Decimal(0) < amount <= due:
        problem = f"Between 0 and {money.format_money(due, currency)}, the amount due."
    return problem


def credit_amount_problem(amount: Decimal, currency: str, total: Decimal, credited: Decimal) -> str | None:
    """What is wrong with crediting `amount` against an invoice (None: nothing): it has no more decimals
    than the currency, is positive and at most what is not credited yet."""
    problem = _decimals_problem(amount, currency)
    most = creditable(total, credited)
    if problem is None and not Decimal(0) < amount <= most:
        problem = f"Between 0 and {money.format_money(most, currency)}, what is not credited yet."
    return problem


def check_payment_amount(amount: Decimal, currency: str, due: Decimal) -> None:
    """`payment_amount_problem` as a domain error on the `amount` field."""
    if (problem := payment_amount_problem(amount, currency, due)) is not None:
        raise Invalid.field("amount", problem)


def check_credit_amount(amount: Decimal, currency: str, total: Decimal, credited: Decimal) -> None:
    """`credit_amount_problem` as a domain error on the `amount` field."""
    if (problem := credit_amount_problem(amount, currency, total, credited)) is not None:
        raise Invalid.field("amount", problem)
