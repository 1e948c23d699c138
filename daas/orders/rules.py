"""The decisions an order takes that need no database (orders.md): what a plan charges a month for a model,
whether a person's allowance is exceeded, which devices in stock may serve a unit and in which order.
Pure: the domain reads the rows, these functions decide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

GRADES = ("A", "B", "C", "D")  # best first


def monthly_amount(charges: Iterable[tuple[int | None, Decimal]], device_model_id: int) -> Decimal | None:
    """What a plan bills a month for one device of the model, from its device charges (device_model_id,
    unit_amount): the model's own charge or the charge for every model (a plan has one or the other,
    pricing's rules); None when the plan does not bill the model, which is then not to be ordered on it."""
    general: Decimal | None = None
    for model_id, amount in charges:
        if model_id == device_model_id:
            return amount
        if model_id is None:
            general = amount
    return general


@dataclass(frozen=True)
class AllowanceCheck:
    """One person's month on an order: what they hold and have on order (this order included) against
    their allowance (None: no allowance, never exceeded)."""

    person_id: int
    monthly_price: Decimal
    allowance: Decimal | None

    @property
    def exceeded(self) -> bool:
        return self.allowance is not None and self.monthly_price > self.allowance


def allowance_checks(
    allowances: Mapping[int, Decimal | None],
    held: Mapping[int, Sequence[Decimal]],
    ordered: Mapping[int, Sequence[Decimal]],
) -> list[AllowanceCheck]:
    """Per person on the order (`allowances`, person id -> monthly allowance): the monthly price is the
    sum of the plan's monthly amounts of their open deployments (`held`) and of the units of their open
    order lines, this order's included (`ordered`: one amount per unit)."""
    return [
        AllowanceCheck(
            person_id,
            sum(held.get(person_id, ()), Decimal(0)) + sum(ordered.get(person_id, ()), Decimal(0)),
            allowance,
        )
        for person_id, allowance in sorted(allowances.items())
    ]


def needs_approval(checks: Iterable[AllowanceCheck]) -> bool:
    """An order waits for an approver when any person's allowance on it is exceeded."""
    return any(check.exceeded for check in checks)


def grade_at_least(grade: str | None, lowest: str) -> bool:
    """`grade` is `lowest` or better (A is best); no grade is no grade at all."""
    return grade in GRADES and GRADES.index(grade) <= GRADES.index(lowest)


@dataclass(frozen=True)
class Candidate:
    """A device in stock of the ordered model: its lives, last grade and the day it went into stock."""

    device_id: int
    lives: int
    grade: str | None
    in_stock_since: date


def is_refurbished(candidate: Candidate, lowest_grade: str) -> bool:
    return candidate.lives >= 1 and grade_at_least(candidate.grade, lowest_grade)


def is_new(candidate: Candidate) -> bool:
    return candidate.lives == 0


def allocation_order(
    candidates: Iterable[Candidate], accept_refurbished: bool, lowest_grade: str
) -> list[int]:
    """The device ids that may serve a unit, in the order to try them: refurbished ones (lives >= 1, graded
    `lowest_grade` or better) first unless refused, then new ones (lives 0); each group longest in stock
    first, then by id. A used device graded below `lowest_grade` (or never graded) is not offered.

    Every order's list is a subsequence of one total order of the stock (refurbished before new, then by
    day and id), so concurrent allocations reserve devices in the same order and cannot deadlock."""
    if lowest_grade not in GRADES:
        raise ValueError(f"unknown grade {lowest_grade!r}")
    pool = list(candidates)
    refurbished = [c for c in pool if is_refurbished(c, lowest_grade)] if accept_refurbished else []
    new = [c for c in pool if is_new(c)]

    def oldest_first(group: list[Candidate]) -> list[int]:
        return [c.device_id for c in sorted(group, key=lambda c: (c.in_stock_since, c.device_id))]

    return oldest_first(refurbished) + oldest_first(new)


def units_missing(quantity: int, held: int) -> int:
    """Units of a line still without a device."""
    return max(quantity - held, 0)
