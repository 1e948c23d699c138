"""The pure rules of orders: what a plan bills a month, allowances, and the order devices are offered in."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.orders import rules
from daas.orders.rules import Candidate


def test_a_models_own_charge_or_the_charge_for_every_model_bills_it():
    assert rules.monthly_amount([(7, Decimal("39.00")), (8, Decimal("12.50"))], 8) == Decimal("12.50")
    assert rules.monthly_amount([(None, Decimal("39.00"))], 8) == Decimal("39.00")
    assert rules.monthly_amount([(7, Decimal("39.00"))], 8) is None
    assert rules.monthly_amount([], 8) is None


def test_an_allowance_is_exceeded_only_above_it():
    checks = rules.allowance_checks(
        {1: Decimal("80.00"), 2: Decimal("80.00"), 3: None},
        held={1: [Decimal("39.00")], 3: [Decimal("500")]},
        ordered={1: [Decimal("41.00")], 2: [Decimal("39.00"), Decimal("41.01")], 3: [Decimal("1")]},
    )
    assert [(c.person_id, c.monthly_price, c.exceeded) for c in checks] == [
        (1, Decimal("80.00"), False),  # exactly the allowance
        (2, Decimal("80.01"), True),
        (3, Decimal("501"), False),  # no allowance: never exceeded
    ]
    assert rules.needs_approval(checks)
    assert not rules.needs_approval(checks[:1] + checks[2:])


def _candidate(device_id, lives, grade, days_ago):
    return Candidate(device_id, lives, grade, date(2026, 11, 15) - timedelta(days=days_ago))


def test_refurbished_come_first_oldest_first_then_new_oldest_first():
    pool = [
        _candidate(1, 0, None, 5),
        _candidate(2, 1, "A", 1),
        _candidate(3, 2, "B", 9),
        _candidate(4, 0, None, 30),
        _candidate(5, 1, "C", 50),  # below B
        _candidate(6, 1, None, 60),  # used, never graded: neither refurbished nor new
    ]
    assert rules.allocation_order(pool, True, "B") == [3, 2, 4, 1]
    assert rules.allocation_order(pool, True, "C") == [5, 3, 2, 4, 1]
    assert rules.allocation_order(pool, True, "A") == [2, 4, 1]
    assert rules.allocation_order(pool, False, "D") == [4, 1]


def test_a_tie_in_days_goes_by_device_id():
    pool = [_candidate(9, 1, "A", 3), _candidate(2, 1, "A", 3), _candidate(5, 0, None, 3)]
    assert rules.allocation_order(pool, True, "B") == [2, 9, 5]


def test_an_unknown_grade_is_refused():
    with pytest.raises(ValueError, match="unknown grade"):
        rules.allocation_order([], True, "E")


candidates = st.lists(
    st.builds(
        Candidate,
        device_id=st.integers(1, 10_000),
        lives=st.integers(0, 4),
        grade=st.sampled_from([None, *rules.GRADES]),
        in_stock_since=st.dates(date(2020, 1, 1), date(2026, 12, 31)),
    ),
    unique_by=lambda c: c.device_id,
    max_size=30,
)


@given(candidates, st.booleans(), st.sampled_from(rules.GRADES))
def test_every_offer_is_eligible_once_and_a_subsequence_of_one_stock_order(pool, accept, lowest):
    offered = rules.allocation_order(pool, accept, lowest)
    by_id = {c.device_id: c for c in pool}
    assert len(offered) == len(set(offered))
    for device_id in offered:
        c = by_id[device_id]
        assert c.lives == 0 or (accept and c.lives >= 1 and rules.grade_at_least(c.grade, lowest))
    eligible = {
        c.device_id
        for c in pool
        if c.lives == 0 or (accept and c.lives >= 1 and rules.grade_at_least(c.grade, lowest))
    }
    assert set(offered) == eligible
    # The total order of the stock every allocation follows (so concurrent ones cannot deadlock).
    total = [c.device_id for c in sorted(pool, key=lambda c: (c.lives == 0, c.in_stock_since, c.device_id))]
    positions = [total.index(device_id) for device_id in offered]
    assert positions == sorted(positions)


@given(st.lists(st.decimals(0, 1000, places=2), max_size=10), st.decimals(0, 5000, places=2))
def test_adding_a_unit_never_turns_an_exceeded_allowance_back(amounts, allowance):
    before = rules.allowance_checks({1: allowance}, {}, {1: amounts})[0]
    after = rules.allowance_checks({1: allowance}, {}, {1: [*amounts, Decimal("0.01")]})[0]
    assert after.monthly_price == before.monthly_price + Decimal("0.01")
    assert not before.exceeded or after.exceeded


def test_units_missing_never_goes_below_zero():
    assert rules.units_missing(3, 1) == 2
    assert rules.units_missing(1, 2) == 0
