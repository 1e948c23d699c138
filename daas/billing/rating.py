"""Rating: a plan's charges and a month's quantities in, invoice lines out (billing.md, documents.md
"Lines"). Pure: plain values only, no Flask, no ORM, so it is tested in microseconds and the billing run,
late usage and the previews all compute the same cents.

A charge makes one line, or several: a device charge one per device model, a graduated charge one per
tier the quantity reaches, volume pricing one for its units, and a tier's flat amount a line of its own.
Every line is written as `quantity × price ÷ base_quantity` (BT-129, BT-146, BT-149) and that product,
rounded once, half up, to the currency's exponent, is exactly the line's amount; the invoice's subtotal
is the sum of its lines. Every amount is exact `Decimal` until its line is made.

Descriptions are written in the customer's document language (daas.billing.line_wording).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from typing import Any

from daas.billing import line_wording as wording
from daas.core.money import exponent, round_money
from daas.core.periods import Period

ZERO = Decimal(0)
ONE = Decimal(1)
# UN/ECE Recommendation 20 unit codes (BT-130): a day, and one (a unit, a package, a single amount).
DAY = "DAY"
PIECE = "C62"
# Peppol BIS Billing 3.0 (PEPPOL-EN16931-R120): a line's amount may differ from quantity × price ÷ base by
# at most this much. Rounding to a currency without decimals can exceed it (4000 × 57 / 31 = 7354.84 is
# billed 7355), so there the price is the amount ÷ the quantity (base 1) to the fewest of these decimals
# whose product is within it; the description then keeps the plan's price.
LINE_TOLERANCE = Decimal("0.02")
FITTED_PRICE_PLACES = (4, 5, 6)


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None  # inclusive upper bound; None for the last, open tier
    unit_amount: Decimal
    flat_amount: Decimal = ZERO


@dataclass(frozen=True)
class Charge:
    """One charge of a plan, as rating needs it."""

    kind: str  # device_monthly | metered
    unit_amount: Decimal | None = None
    device_model_id: int | None = None  # device_monthly: None bills every model
    device_model_sku: str | None = None
    metric_id: int | None = None
    metric_code: str | None = None
    model: str | None = None  # per_unit | graduated | volume | package
    tiers: tuple[Tier, ...] = ()
    package_size: int | None = None
    # What lines call the charge's device model and metric (their catalog names; else SKU and code).
    device_model_name: str | None = None
    metric_name: str | None = None

    @property
    def metric_label(self) -> str:
        return self.metric_name or self.metric_code or ""


@dataclass(frozen=True)
class Line:
    """An invoice line: `amount = round(quantity × price ÷ base_quantity)`, in `unit_code` (DAY or C62).

    `unit_amount` is the amount of the plan the line bills at, as the API has always shown it: a device
    charge's monthly amount, a per-unit or package amount, the unit amount of the tier, a flat amount;
    None on a minimum true-up and on late usage. It equals `price` but where the price is per day of the
    month (a device line: price = the monthly amount, base = the days of the month) or fitted to a
    currency without decimals (LINE_TOLERANCE)."""

    kind: str  # device_monthly | metered | minimum_true_up | late_usage | one_off
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    unit_amount: Decimal | None = None
    metric: str | None = None
    # Late usage: the period whose usage it bills. Metered and late lines: that period's whole usage
    # after this line, which finalization records as billed. A charge that makes several lines carries
    # it on its first line only, so the period's usage is recorded once.
    usage_period: str | None = None
    usage_quantity: Decimal | None = None
    unit_code: str | None = None
    price: Decimal | None = None
    base_quantity: Decimal | None = None
    # A one-off line: the charge it bills.
    charge_id: int | None = None
    # A period with several plans: the plan the line bills, and on a line that carries usage the first
    # day of that plan's window (what finalization records the usage as billed for). None otherwise.
    plan_code: str | None = None
    usage_window_start: date | None = None


# -- days -------------------------------------------------------------------------------------------


def overlap_days(start: date, end: date | None, window_start: date, window_end: date) -> int:
    """Days of [start, end) inside [window_start, window_end); `end` None means open-ended."""
    first = max(start, window_start)
    last = window_end if end is None else min(end, window_end)
    return max((last - first).days, 0)


def active_days(contract_start: date, contract_end: date, period: Period) -> int:
    return overlap_days(contract_start, contract_end, period.start, period.end)


def device_days(
    deployments: Iterable[tuple[date, date | None]], contract_start: date, contract_end: date, period: Period
) -> int:
    """Days of service in the period: each deployment clipped to the contract and the period."""
    return device_days_between(deployments, contract_start, contract_end, period.start, period.end)


def device_days_between(
    deployments: Iterable[tuple[date, date | None]],
    contract_start: date,
    contract_end: date,
    start: date,
    end: date,
) -> int:
    """Days of service in [start, end) (a period, or one plan's days of it): each deployment clipped to the
    contract and the range."""
    window_start, window_end = max(contract_start, start), min(contract_end, end)
    if window_end <= window_start:
        return 0
    return sum(overlap_days(first, last, window_start, window_end) for first, last in deployments)


# -- pricing models: what a quantity bills, part by part (exact, unrounded) -------------------------

UNITS, PACKAGES, TIER, FLAT, VOLUME, NOTHING = "units", "packages", "tier", "flat", "volume", "nothing"


@dataclass(frozen=True)
class Part:
    """One part of what a metered charge bills for a quantity, and so one of its lines: `quantity` at
    `unit_amount`. A tier's part is the units (low, high] it holds; a flat amount is one unit of it."""

    what: str  # units | packages | tier | flat | volume | nothing (a quantity that bills nothing)
    quantity: Decimal
    unit_amount: Decimal
    low: Decimal = ZERO
    high: Decimal | None = None

    @property
    def exact(self) -> Decimal:
        return self.quantity * self.unit_amount


def _flat(tier: Tier, low: Decimal) -> list[Part]:
    return [Part(FLAT, ONE, tier.flat_amount, low, tier.up_to)] if tier.flat_amount > 0 else []


def _nothing(tiers: Sequence[Tier]) -> Part:
    return Part(NOTHING, ZERO, tiers[0].unit_amount if tiers else ZERO)


def _graduated(quantity: Decimal, tiers: Sequence[Tier]) -> list[Part]:
    """The units in (previous up_to, up_to] at the tier's unit amount, plus its flat amount once if any
    unit falls in it; a quantity of 0 falls in the first tier and bills its flat amount."""
    if quantity <= 0:
        return (_flat(tiers[0], ZERO) if tiers else []) or [_nothing(tiers)]
    parts: list[Part] = []
    floor = ZERO
    for tier in tiers:
        ceiling = quantity if tier.up_to is None else min(quantity, tier.up_to)
        if ceiling > floor:
            parts.append(Part(TIER, ceiling - floor, tier.unit_amount, floor, ceiling))
            parts += _flat(tier, floor)
        if tier.up_to is None or quantity <= tier.up_to:
            break
        floor = tier.up_to
    return parts or [_nothing(tiers)]


def _volume(quantity: Decimal, tiers: Sequence[Tier]) -> list[Part]:
    """Every unit at the unit amount of the tier the quantity falls in, plus that tier's flat amount; a
    quantity of 0 falls in the first tier and bills its flat amount."""
    if quantity <= 0:
        return (_flat(tiers[0], ZERO) if tiers else []) or [_nothing(tiers)]
    floor = ZERO
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return [Part(VOLUME, quantity, tier.unit_amount, floor, tier.up_to), *_flat(tier, floor)]
        floor = tier.up_to
    raise ValueError("tiers must end with an open tier")


def parts(charge: Charge, quantity: Decimal) -> list[Part]:
    """What a metered charge bills for a quantity, part by part (one line each), exact."""
    if charge.model == "per_unit":
        return [Part(UNITS, quantity, charge.unit_amount or ZERO)]
    if charge.model == "graduated":
        return _graduated(quantity, charge.tiers)
    if charge.model == "volume":
        return _volume(quantity, charge.tiers)
    if charge.model == "package":
        packages = math.ceil(quantity / Decimal(charge.package_size or 1)) if quantity > 0 else 0
        return [Part(PACKAGES, Decimal(packages), charge.unit_amount or ZERO)]
    raise ValueError(f"unknown pricing model {charge.model!r}")


def price(charge: Charge, quantity: Decimal) -> Decimal:
    """The exact amount of a metered charge for a quantity."""
    return sum((part.exact for part in parts(charge, quantity)), ZERO)


# -- how a line is written -------------------------------------------------------------------------


@dataclass(frozen=True)
class Priced:
    """A line's amount, and the quantity × price ÷ base that rounds to exactly it."""

    amount: Decimal
    quantity: Decimal
    unit_code: str
    price: Decimal
    base_quantity: Decimal
    fitted: bool = False  # the price is the amount ÷ the quantity, not the plan's price (LINE_TOLERANCE)


def _fitted_price(quantity: Decimal, amount: Decimal) -> Decimal | None:
    """The amount ÷ the quantity to the fewest of FITTED_PRICE_PLACES decimals whose product with the
    quantity stays within LINE_TOLERANCE of the amount; None if none does."""
    if quantity <= 0:
        return None
    with localcontext() as context:
        context.prec = 60  # a quotient of a large amount by a small quantity still quantizes exactly
        for places in FITTED_PRICE_PLACES:
            fitted = (amount / quantity).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if abs(quantity * fitted - amount) <= LINE_TOLERANCE:
                return fitted
    return None


def priced(
    quantity: Decimal,
    unit_code: str,
    unit_price: Decimal,
    base: Decimal,
    currency: str,
    *,
    fit: bool = False,
) -> Priced:
    """`quantity × unit_price ÷ base`, rounded once, half up. In a currency without decimals, when `fit`
    (a device line) or when the rounding moved the amount beyond LINE_TOLERANCE, the price becomes the
    amount ÷ the quantity with base 1 (if one of few decimals fits; else the plan's price stays)."""
    exact = quantity * unit_price / base
    amount = round_money(exact, currency)
    if exponent(currency) == 0 and (fit or abs(exact - amount) > LINE_TOLERANCE):
        fitted = _fitted_price(quantity, amount)
        if fitted is not None:
            return Priced(amount, quantity, unit_code, fitted, ONE, fitted=True)
    return Priced(amount, quantity, unit_code, unit_price, base)


def _written(p: Priced) -> dict[str, Any]:
    return {
        "amount": p.amount,
        "quantity": p.quantity,
        "unit_code": p.unit_code,
        "price": p.price,
        "base_quantity": p.base_quantity,
    }


def _single(amount: Decimal) -> dict[str, Any]:
    """One unit at the amount (minus one at its opposite for a negative amount: EN 16931 has no negative
    prices, BR-27)."""
    return {
        "amount": amount,
        "quantity": ONE if amount >= 0 else -ONE,
        "unit_code": PIECE,
        "price": abs(amount),
        "base_quantity": ONE,
    }


# -- lines ------------------------------------------------------------------------------------------

# A run writes the same few lines over and over (five laptops of one plan for the whole month, a tier a
# quantity reaches): lines are values of their inputs, so the last few thousand are kept, not rewritten.
_LINES_KEPT = 8192


@lru_cache(maxsize=_LINES_KEPT)
def device_line(
    charge: Charge,
    days: int,
    period: Period,
    currency: str,
    *,
    name: str | None = None,
    language: str = "en",
) -> Line:
    """One device model's line: `days DAY × monthly amount ÷ days in the month` (`248 DAY × 44.00 / 31 =
    352.00`); in a currency without decimals the price is the amount ÷ the days and the description
    keeps the monthly amount. `name`: the model's name (else the charge's model)."""
    monthly = charge.unit_amount or ZERO
    written = priced(Decimal(days), DAY, monthly, Decimal(period.days), currency, fit=exponent(currency) == 0)
    shown = name or charge.device_model_name or charge.device_model_sku
    return Line(
        kind="device_monthly",
        description=wording.device_days(
            shown, days, period, language, monthly=monthly if written.fitted else None, currency=currency
        ),
        unit_amount=charge.unit_amount,
        **_written(written),
    )


def _part_line(
    charge: Charge, part: Part, quantity: Decimal, period: Period, currency: str, language: str
) -> Line:
    written = priced(part.quantity, PIECE, part.unit_amount, ONE, currency)
    name = charge.metric_label
    each = part.unit_amount if written.fitted else None
    if part.what == TIER:
        description = wording.tier(
            name, part.low, part.high or quantity, part.unit_amount, currency, language
        )
    elif part.what == FLAT:
        description = wording.flat(name, part.low, part.high, language)
    elif part.what == VOLUME:
        description = wording.volume(name, part.quantity, part.unit_amount, currency, language)
    elif part.what == PACKAGES:
        size = charge.package_size or 1
        description = wording.packages(name, quantity, size, language, each=each, currency=currency)
    else:  # units, or a quantity that bills nothing
        description = wording.metered(name, period, language, each=each, currency=currency)
    return Line(
        kind="metered",
        description=description,
        unit_amount=part.unit_amount,
        metric=charge.metric_code,
        **_written(written),
    )


@lru_cache(maxsize=_LINES_KEPT)
def metered_lines(
    charge: Charge, quantity: Decimal, period: Period, currency: str, *, language: str = "en"
) -> tuple[Line, ...]:
    """A metered charge's lines for the period's quantity, one per part (`parts`); the first carries the
    period and the whole quantity, which finalization records as billed."""
    first, *rest = [
        _part_line(charge, p, quantity, period, currency, language) for p in parts(charge, quantity)
    ]
    return (replace(first, usage_period=period.name, usage_quantity=quantity), *rest)


def late_usage_line(
    charge: Charge,
    usage_period: Period,
    quantity_now: Decimal,
    quantity_billed: Decimal,
    currency: str,
    *,
    language: str = "en",
) -> Line | None:
    """Usage that arrived after its period was invoiced: rate(all of it) − rate(what was invoiced), so
    tiers stay right; one unit at that amount (minus one for a negative correction). None when nothing
    changed."""
    if quantity_now == quantity_billed:
        return None
    exact = price(charge, quantity_now) - price(charge, quantity_billed)
    return Line(
        kind="late_usage",
        description=wording.late_usage(charge.metric_label, usage_period, language),
        metric=charge.metric_code,
        usage_period=usage_period.name,
        usage_quantity=quantity_now,
        **_single(round_money(exact, currency)),
    )


# What an invoice line's description holds; a one-off charge's longer description is cut to it.
DESCRIPTION_LENGTH = 200


def one_off_line(charge_id: int, description: str, amount: Decimal) -> Line:
    """A one-off charge of the contract: one unit (C62) at its amount, described as the charge is (cut
    to what a line holds, with an ellipsis). It stands beside the plan's lines, outside the minimum: it
    neither counts toward the true-up nor is absorbed by it."""
    text = description
    if len(text) > DESCRIPTION_LENGTH:
        text = text[: DESCRIPTION_LENGTH - 1].rstrip() + "…"
    return Line(kind="one_off", description=text, unit_amount=amount, charge_id=charge_id, **_single(amount))


def prorated_minimum(minimum: Decimal, days_active: int, period: Period, currency: str) -> Decimal:
    return round_money(minimum * Decimal(days_active) / Decimal(period.days), currency)


def minimum_true_up(
    charge_lines: Sequence[Line],
    minimum: Decimal | None,
    days_active: int,
    period: Period,
    currency: str,
    *,
    language: str = "en",
) -> Line | None:
    """The difference up to the minimum prorated by the contract's active days, if the charges (the sum
    of their rounded lines) fall short."""
    if minimum is None or days_active <= 0:
        return None
    floor = prorated_minimum(minimum, days_active, period, currency)
    charged = sum((line.amount for line in charge_lines), ZERO)
    if charged >= floor:
        return None
    return Line(
        kind="minimum_true_up",
        description=wording.minimum_true_up(floor, currency, days_active, period, language),
        **_single(floor - charged),
    )


@dataclass(frozen=True)
class ContractUsage:
    """What a contract did in a period, as the billing run measured it."""

    active_days: int
    device_days_by_model: Mapping[int, int] = field(default_factory=dict)
    quantities: Mapping[int, Decimal] = field(default_factory=dict)  # metric id -> aggregate


def _device_lines(
    charge: Charge,
    usage: ContractUsage,
    period: Period,
    currency: str,
    language: str,
    model_names: Mapping[int, str],
) -> list[Line]:
    """A device charge's lines: one per device model that served (by name), or its own model only."""
    if charge.device_model_id is not None:
        days = usage.device_days_by_model.get(charge.device_model_id, 0)
        return [device_line(charge, days, period, currency, language=language)] if days > 0 else []
    served = sorted(
        (model_names.get(model_id) or "", model_id, days)
        for model_id, days in usage.device_days_by_model.items()
        if days > 0
    )
    return [
        device_line(charge, days, period, currency, name=name or None, language=language)
        for name, _, days in served
    ]


def rate_contract(
    charges: Sequence[Charge],
    usage: ContractUsage,
    minimum: Decimal | None,
    period: Period,
    currency: str,
    *,
    language: str = "en",
    model_names: Mapping[int, str] | None = None,
) -> list[Line]:
    """The lines of one contract's invoice for a period, before late usage: each charge's lines (device
    charges one per model that served; `model_names` names them), then the minimum true-up. A contract
    active in the period whose devices never served has one line of 0 device-days, so its invoice has
    a line as every invoice must."""
    lines: list[Line] = []
    for charge in charges:
        if charge.kind == "device_monthly":
            lines += _device_lines(charge, usage, period, currency, language, model_names or {})
        else:
            quantity = usage.quantities.get(charge.metric_id or 0, ZERO)
            lines += metered_lines(charge, quantity, period, currency, language=language)
    device_charges = [charge for charge in charges if charge.kind == "device_monthly"]
    if not lines and device_charges and usage.active_days > 0:
        # An invoice has at least one line (EN 16931 BR-16): no device served, so 0 device-days.
        lines.append(device_line(device_charges[0], 0, period, currency, language=language))
    true_up = minimum_true_up(lines, minimum, usage.active_days, period, currency, language=language)
    return [*lines, true_up] if true_up else lines
