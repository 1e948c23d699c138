"""The invoice lifecycle: every state against every move, the settle rule, and the amount checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.invoice_lifecycle import (
    COLLECT,
    CREDIT,
    DRAFT,
    FINALIZE,
    MARK_UNCOLLECTIBLE,
    MOVES,
    MOVES_IN_ORDER,
    OPEN,
    PAID,
    PAY,
    SETTLE,
    STATUSES,
    UNCOLLECTIBLE,
    VOID,
    VOID_INVOICE,
    IllegalMove,
)
from daas.billing.models import INVOICE_STATUSES
from daas.core.errors import Conflict, Invalid

# Written out again, independently of the module's table: (state, move) -> the state it leads to.
EXPECTED = {
    (DRAFT, FINALIZE): OPEN,
    (OPEN, PAY): OPEN,
    (UNCOLLECTIBLE, PAY): UNCOLLECTIBLE,
    (OPEN, CREDIT): OPEN,
    (PAID, CREDIT): PAID,
    (OPEN, COLLECT): OPEN,
    (OPEN, MARK_UNCOLLECTIBLE): UNCOLLECTIBLE,
    (OPEN, SETTLE): PAID,
    (UNCOLLECTIBLE, SETTLE): PAID,
    (OPEN, VOID_INVOICE): VOID,
}


def test_the_database_knows_the_same_states() -> None:
    assert INVOICE_STATUSES == STATUSES == ("draft", "open", "paid", "void", "uncollectible")


def test_every_move_is_in_the_table_once() -> None:
    assert sorted(MOVES_IN_ORDER) == sorted(MOVES)
    assert all(rule.sources <= set(STATUSES) for rule in MOVES.values())
    assert all(rule.target is None or rule.target in STATUSES for rule in MOVES.values())


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("move", MOVES_IN_ORDER)
def test_every_state_against_every_move(status: str, move: str) -> None:
    if (status, move) in EXPECTED:
        assert lifecycle.may(status, move)
        assert lifecycle.next_status(status, move) == EXPECTED[status, move]
        assert move in lifecycle.allowed_moves(status)
        return
    assert not lifecycle.may(status, move)
    assert move not in lifecycle.allowed_moves(status)
    with pytest.raises(IllegalMove) as refused:
        lifecycle.next_status(status, move, 42)
    assert isinstance(refused.value, Conflict) and refused.value.status_code == 409
    assert refused.value.status == status and refused.value.move == move
    assert refused.value.message == f"Invoice 42 is {status}; {MOVES[move].needs}."
    assert refused.value.errors == {"status": [f"The invoice is {status}."]}
    assert refused.value.allowed == lifecycle.allowed_moves(status)


def test_refusals_read_as_the_api_has_always_said_them() -> None:
    with pytest.raises(IllegalMove, match=r"^Invoice 7 is paid; only a draft can be finalized\.$"):
        lifecycle.next_status(PAID, FINALIZE, 7)
    with pytest.raises(IllegalMove, match=r"^Invoice 7 is paid; only an open, unpaid invoice can be voided"):
        lifecycle.next_status(PAID, VOID_INVOICE, 7)
    with pytest.raises(IllegalMove, match=r"^Invoice 7 is void; credit notes go against open or paid"):
        lifecycle.next_status(VOID, CREDIT, 7)
    with pytest.raises(IllegalMove, match=r"^Invoice 7 is void; payments go against open invoices\.$"):
        lifecycle.next_status(VOID, PAY, 7)
    with pytest.raises(IllegalMove, match=r"^The invoice is draft; payments go against open invoices\.$"):
        lifecycle.next_status(DRAFT, PAY)


def test_what_each_state_allows() -> None:
    """Every state but void has a way forward; a paid invoice only takes credit notes."""
    assert lifecycle.allowed_moves(VOID) == []
    assert lifecycle.allowed_moves(PAID) == [CREDIT]
    assert lifecycle.allowed_moves(DRAFT) == [FINALIZE]
    assert PAY in lifecycle.allowed_moves(UNCOLLECTIBLE)


# -- the settle rule ----------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


@given(status=st.sampled_from(STATUSES), total=amounts, credited=amounts, paid=amounts)
def test_settle_rule(status: str, total: Decimal, credited: Decimal, paid: Decimal) -> None:
    settled = lifecycle.settle(status, total, credited, paid)
    if status == VOID:
        assert settled == lifecycle.Settlement(VOID, Decimal(0))
        return
    assert settled.amount_due == max(total - credited - paid, Decimal(0)) >= 0
    if status in (OPEN, UNCOLLECTIBLE) and total <= credited + paid:
        assert settled.status == PAID
    else:
        assert settled.status == status


@given(total=amounts, credited=amounts, paid=amounts)
def test_settling_twice_changes_nothing(total: Decimal, credited: Decimal, paid: Decimal) -> None:
    once = lifecycle.settle(OPEN, total, credited, paid)
    assert lifecycle.settle(once.status, total, credited, paid) == once


@given(total=amounts.filter(lambda total: total > 0), data=st.data())
def test_paying_what_is_due_settles(total: Decimal, data: st.DataObject) -> None:
    credited = data.draw(st.decimals(min_value=0, max_value=total, places=2))
    due = lifecycle.amount_due(total, credited, Decimal(0))
    if due > 0:
        assert lifecycle.payment_amount_problem(due, "EUR", due) is None
    assert lifecycle.settle(OPEN, total, credited, due).status == PAID


def test_a_zero_total_is_paid_once_finalized() -> None:
    status = lifecycle.next_status(DRAFT, FINALIZE)
    assert lifecycle.settle(status, Decimal(0), Decimal(0), Decimal(0)) == lifecycle.Settlement(
        PAID, Decimal(0)
    )
    assert lifecycle.settle(status, Decimal("10.00"), Decimal(0), Decimal(0)) == lifecycle.Settlement(
        OPEN, Decimal("10.00")
    )


# -- amounts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "problem"),
    [
        (Decimal("10.00"), "EUR", None),
        (Decimal("47.19"), "EUR", None),
        (Decimal("0.01"), "EUR", None),
        (Decimal("0"), "EUR", "Between 0 and 47.19, the amount due."),
        (Decimal("-1"), "EUR", "Between 0 and 47.19, the amount due."),
        (Decimal("47.20"), "EUR", "Between 0 and 47.19, the amount due."),
        (Decimal("1.001"), "EUR", "EUR amounts have 2 decimals."),
        (Decimal("1.5"), "JPY", "JPY amounts have 0 decimals."),
    ],
)
def test_payment_amount(amount: Decimal, currency: str, problem: str | None) -> None:
    due = Decimal("47.19") if currency == "EUR" else Decimal(100)
    assert lifecycle.payment_amount_problem(amount, currency, due) == problem
    if problem is None:
        lifecycle.check_payment_amount(amount, currency, due)
    else:
        with pytest.raises(Invalid) as refused:
            lifecycle.check_payment_amount(amount, currency, due)
        assert refused.value.errors == {"amount": [problem]}


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (Decimal("20.00"), None),
        (Decimal("20.01"), "Between 0 and 20.00, what is not credited yet."),
        (Decimal("0.00"), "Between 0 and 20.00, what is not credited yet."),
        (Decimal("0.005"), "EUR amounts have 2 decimals."),
    ],
)
def test_credit_amount(amount: Decimal, problem: str | None) -> None:
    total, credited = Decimal("50.00"), Decimal("30.00")
    assert lifecycle.creditable(total, credited) == Decimal("20.00")
    assert lifecycle.credit_amount_problem(amount, "EUR", total, credited) == problem
    if problem is None:
        lifecycle.check_credit_amount(amount, "EUR", total, credited)
    else:
        with pytest.raises(Invalid) as refused:
            lifecycle.check_credit_amount(amount, "EUR", total, credited)
        assert refused.value.errors == {"amount": [problem]}


@given(
    due=st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2),
    amount=st.decimals(min_value=-(10**6), max_value=10**6, places=4),
)
def test_a_payment_is_accepted_exactly_when_it_fits(due: Decimal, amount: Decimal) -> None:
    fits = 0 < amount <= due and amount == amount.quantize(Decimal("0.01"))
    problem = lifecycle.payment_amount_problem(amount.normalize() if fits else amount, "EUR", due)
    assert (problem is None) == fits
