"""Exact sums for the what-if planner (`daas.workshop.planner`), cheap to add to. Pure.

A projection adds tens of thousands of amounts a year (an embodied footprint per replacement, a day rate
times the days a device serves). Adding them as `Fraction`s one by one is what made a 10,000-device
comparison take many seconds, so a tally keeps integers instead: how many times each exact value was added,
and the attribution as integer numerators summed per denominator. Each is turned into one exact `Fraction`
when the year's figures are read, and rounded once there: the figures are the exact sums, rounded as before.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from daas.workshop.plan_types import Figures

CENT = Decimal("0.01")
GRAM = Decimal("0.001")
ATTRIBUTED = "attributed_co2e_kg"


class Rate:
    """A constant rate, kg CO2e per day of service, as an integer fraction left unreduced: the rates of a
    projection then share a handful of denominators (they depend on the chain of upgrades and
    refurbishments, not on the day), which is what lets a tally sum their numerators as integers."""

    __slots__ = ("denominator", "numerator")

    def __init__(self, numerator: int, denominator: int) -> None:
        self.numerator, self.denominator = numerator, denominator

    @classmethod
    def spread(cls, kg: tuple[int, int], days: int) -> Rate:
        """`kg` (an integer ratio) spread evenly over `days`; nothing to spread over no day."""
        if days <= 0:
            return NO_RATE
        return cls(kg[0], kg[1] * days)

    def times(self, days: int) -> tuple[int, int]:
        """What `days` at this rate come to, as an integer ratio."""
        return self.numerator * days, self.denominator


NO_RATE = Rate(0, 1)


def ratio_sum(left: tuple[int, int], right: tuple[int, int]) -> tuple[int, int]:
    return left[0] * right[1] + right[0] * left[1], left[1] * right[1]


def ratio_times(ratio: tuple[int, int], factor: tuple[int, int]) -> tuple[int, int]:
    return ratio[0] * factor[0], ratio[1] * factor[1]


class YearTally:
    """One year's figures while they are added up; exact until `figures` rounds them once."""

    __slots__ = ("amounts", "attributed", "counts")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.amounts: dict[str, dict[Decimal | Fraction, int]] = {}  # name: {exact value: times added}
        self.attributed: dict[int, int] = {}  # denominator: sum of numerators, of the kg attributed

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def add(self, name: str, amount: Decimal | Fraction, times: int = 1) -> None:
        values = self.amounts.get(name)
        if values is None:
            values = self.amounts[name] = {}
        values[amount] = values.get(amount, 0) + times

    def attribute(self, rate: Rate, days: int) -> None:
        """`days` of service charged at `rate`."""
        attributed = self.attributed
        denominator = rate.denominator
        attributed[denominator] = attributed.get(denominator, 0) + rate.numerator * days

    def exact(self, name: str) -> Fraction:
        if name == ATTRIBUTED:
            terms = (Fraction(numerator, denominator) for denominator, numerator in self.attributed.items())
        else:
            terms = (Fraction(value) * times for value, times in self.amounts[name].items())
        return sum(terms, Fraction(0))

    def figures(self) -> Figures:
        values: dict[str, int | Decimal] = dict(self.counts)
        names = [*self.amounts, *([ATTRIBUTED] if self.attributed else [])]
        for name in names:
            values[name] = exact_rounded(self.exact(name), CENT if name == "cost" else GRAM)
        return Figures(**values)


def exact_rounded(amount: Fraction, unit: Decimal) -> Decimal:
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(unit, rounding=ROUND_HALF_UP)
