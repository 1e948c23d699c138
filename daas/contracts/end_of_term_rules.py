"""What a contract's end costs: a device's buy-out price, the early-termination charge, and the damage
fee of a device returned worse than fair wear allows. Pure: plain values in, exact money out, rounded once
to the currency, so a quote, its acceptance and the invoice line say the same cents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from daas.core.dates import add_months
from daas.core.money import round_money

ZERO = Decimal(0)
# What a device's last grade leaves of its residual value (a device never graded counts as A).
GRADE_FACTORS: Mapping[str, Decimal] = {
    "A": Decimal("1.0"),
    "B": Decimal("0.85"),
    "C": Decimal("0.6"),
    "D": Decimal("0.3"),
}
DEFAULT_FLOOR_SHARE = Decimal("0.1")
QUOTE_DAYS = 30  # a buy-out quote is valid on its day and the 30 after it


def whole_months(start: date, end: date) -> int:
    """Whole months from `start` to `end`, counted by day of month (2027-01-15 to 2028-06-01: 16);
    0 when `end` is not after `start`."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


@dataclass(frozen=True)
class BuyOutPrice:
    price: Decimal
    age_months: int
    straight_line: Decimal  # list value × (1 − age / life), before the floor and the grade
    floor: Decimal
    grade: str
    grade_factor: Decimal


def buy_out_price(
    list_value: Decimal,
    floor_share: Decimal,
    age_months: int,
    lifetime_months: int,
    grade: str | None,
    currency: str,
    factors: Mapping[str, Decimal] = GRADE_FACTORS,
) -> BuyOutPrice:
    """`max(floor_share × list value, list value × (1 − age / expected life)) × grade factor`, rounded
    once, half up, to the currency."""
    grade = grade or "A"
    straight = list_value * (1 - Decimal(age_months) / Decimal(lifetime_months))
    floor = floor_share * list_value
    factor = factors[grade]
    return BuyOutPrice(
        price=round_money(max(floor, straight) * factor, currency),
        age_months=age_months,
        straight_line=straight,
        floor=floor,
        grade=grade,
        grade_factor=factor,
    )


@dataclass(frozen=True)
class EarlyTermination:
    remaining_months: int
    share: Decimal
    basis: str  # "minimum": of the plan's minimum; "devices": of the device monthly amounts
    monthly: Decimal  # the minimum, or the devices' monthly amounts, the day before termination
    amount: Decimal


def early_termination(
    end_on: date,
    contract_end: date,
    share: Decimal,
    minimum: Decimal | None,
    device_monthly_amounts: Decimal,
    currency: str,
) -> EarlyTermination:
    """`share × minimum × remaining whole months`, or without a minimum `share × the deployed devices'
    monthly amounts × remaining months`; rounded once."""
    months = whole_months(end_on, contract_end)
    basis, monthly = ("minimum", minimum) if minimum is not None else ("devices", device_monthly_amounts)
    return EarlyTermination(
        remaining_months=months,
        share=share,
        basis=basis,
        monthly=monthly,
        amount=round_money(share * monthly * months, currency),
    )


def damage_fee(
    fees: Mapping[str, Decimal], grade: str | None, age_days: int, lifetime_days: int
) -> Decimal | None:
    """The fee of a returned device's grade under fair wear, or None when it owes nothing: grades A and B
    never pay, C pays only before half the model's expected life, D always. `fees`: grade -> fee of the
    device's category and the contract's currency."""
    if grade == "D":
        return fees.get("D")
    if grade == "C" and age_days * 2 < lifetime_days:
        return fees.get("C")
    return None


# -- the installation's policy (DAAS_EARLY_TERMINATION_SHARE, DAAS_BUYOUT_*, DAAS_DAMAGE_FEES) -----------


@dataclass(frozen=True)
class EndOfTermPolicy:
    """What the installation charges at a contract's end."""

    early_termination_share: Decimal = Decimal("0.5")
    # Buy-outs are sales of goods: offered in the issuer's country and these others.
    buy_out_countries: frozenset[str] = frozenset()
    grade_factors: Mapping[str, Decimal] = field(default_factory=lambda: dict(GRADE_FACTORS))
    # (currency, category) -> grade -> fee
    damage_fees: Mapping[tuple[str, str], Mapping[str, Decimal]] = field(default_factory=dict)

    def fees_for(self, currency: str, category: str) -> Mapping[str, Decimal]:
        return self.damage_fees.get((currency, category), {})


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise ValueError(f"{what}: {text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{what}: {text.strip()!r} is not a number")
    return value


def parse_share(text: str) -> Decimal:
    """A share from 0 to 1 ("0.5")."""
    share = _decimal(text, "share")
    if not 0 <= share <= 1:
        raise ValueError(f"{share} is not between 0 and 1")
    return share


def parse_grade_factors(text: str) -> dict[str, Decimal]:
    """`A=1.0, B=0.85, C=0.6, D=0.3`: every grade A to D, each factor from 0 to 1."""
    factors: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        grade, _, factor = part.partition("=")
        grade = grade.strip().upper()
        if grade not in GRADE_FACTORS:
            raise ValueError(f"{part!r}: the grades are A, B, C and D")
        factors[grade] = parse_share(factor)
    missing = sorted(set(GRADE_FACTORS) - set(factors))
    if missing:
        raise ValueError(f"no factor for grade {', '.join(missing)}")
    return factors


def parse_damage_fees(text: str) -> dict[tuple[str, str], dict[str, Decimal]]:
    """`EUR:laptop:C=90.00, EUR:laptop:D=250.00, ...`: a fee per currency, category and grade C or D."""
    fees: dict[tuple[str, str], dict[str, Decimal]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, amount = part.partition("=")
        pieces = [piece.strip() for piece in key.split(":")]
        if len(pieces) != 3 or pieces[2].upper() not in ("C", "D"):
            raise ValueError(f"{part!r}: write CURRENCY:category:GRADE=amount, grade C or D")
        currency, category, grade = pieces[0].upper(), pieces[1].lower(), pieces[2].upper()
        fee = _decimal(amount, part)
        if fee <= 0:
            raise ValueError(f"{part!r}: a fee is more than 0")
        fees.setdefault((currency, category), {})[grade] = fee
    return fees
