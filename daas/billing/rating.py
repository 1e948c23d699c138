"""Rating: a plan's charges and a month's quantities in, invoice lines out (billing.md). Pure: plain
values only, no Flask, no ORM, so it is tested in microseconds and the billing run, late usage and the
previews all compute the same cents.

Every amount is exact `Decimal` until the line is made; each line is rounded once, half up, to the
currency's exponent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from daas.core.money import round_money
from daas.core.periods import Period

ZERO = Decimal(0)


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


@dataclass(frozen=True)
class Line:
    kind: str  # device_monthly | metered | minimum_true_up | late_usage
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    unit_amount: Decimal | None = None
    metric: str | None = None
    # Late usage: the period whose usage it bills. Metered and late lines: that period's whole usage
    # after this line, which finalization records as billed.
    usage_period: str | None = None
    usage_quantity: Decimal | None = None


@dataclass(frozen=True)
class UsageRecord:
    quantity: Decimal = Decimal(1)
    properties: Mapping[str, Any] | None = None


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
    window_start, window_end = max(contract_start, period.start), min(contract_end, period.end)
    if window_end <= window_start:
        return 0
    return sum(overlap_days(start, end, window_start, window_end) for start, end in deployments)


# -- aggregation ------------------------------------------------------------------------------------


def aggregate(aggregation: str, records: Iterable[UsageRecord], field_name: str | None = None) -> Decimal:
    """A metric's quantity over a period's events: count, sum, max (0 without events), unique_count."""
    records = list(records)
    if aggregation == "count":
        return Decimal(len(records))
    if aggregation == "sum":
        return sum((r.quantity for r in records), ZERO)
    if aggregation == "max":
        return max((r.quantity for r in records), default=ZERO)
    if aggregation == "unique_count":
        values = {
            str((r.properties or {})[field_name])
            for r in records
            if field_name and (r.properties or {}).get(field_name) is not None
        }
        return Decimal(len(values))
    raise ValueError(f"unknown aggregation {aggregation!r}")


# -- pricing models (exact, unrounded) -------------------------------------------------------------


def _graduated(quantity: Decimal, tiers: Sequence[Tier]) -> Decimal:
    total, floor = ZERO, ZERO
    for tier in tiers:
        ceiling = quantity if tier.up_to is None else min(quantity, tier.up_to)
        units = ceiling - floor
        if units > 0:
            total += units * tier.unit_amount + tier.flat_amount
        if tier.up_to is None or quantity <= tier.up_to:
            break
        floor = tier.up_to
    return total


def _volume(quantity: Decimal, tiers: Sequence[Tier]) -> Decimal:
    if quantity <= 0:
        return ZERO
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return quantity * tier.unit_amount + tier.flat_amount
    raise ValueError("tiers must end with an open tier")


def price(charge: Charge, quantity: Decimal) -> Decimal:
    """The exact amount of a metered charge for a quantity."""
    if charge.model == "per_unit":
        return quantity * (charge.unit_amount or ZERO)
    if charge.model == "graduated":
        return _graduated(quantity, charge.tiers)
    if charge.model == "volume":
        return _volume(quantity, charge.tiers)
    if charge.model == "package":
        packages = math.ceil(quantity / Decimal(charge.package_size or 1)) if quantity > 0 else 0
        return Decimal(packages) * (charge.unit_amount or ZERO)
    raise ValueError(f"unknown pricing model {charge.model!r}")


# -- lines ------------------------------------------------------------------------------------------


def device_line(charge: Charge, days: int, period: Period, currency: str) -> Line:
    """`unit_amount × device_days / days_in_month`."""
    exact = (charge.unit_amount or ZERO) * Decimal(days) / Decimal(period.days)
    what = charge.device_model_sku or "Devices"
    monthly = f"{charge.unit_amount or ZERO:f}"
    return Line(
        kind="device_monthly",
        description=f"{what}: {days} device-days in {period} at {monthly} a month ({period.days} days)",
        amount=round_money(exact, currency),
        quantity=Decimal(days),
        unit_amount=charge.unit_amount,
    )


def metered_line(charge: Charge, quantity: Decimal, period: Period, currency: str) -> Line:
    unit = charge.unit_amount if charge.model in ("per_unit", "package") else None
    return Line(
        kind="metered",
        description=f"{charge.metric_code} in {period}",
        amount=round_money(price(charge, quantity), currency),
        quantity=quantity,
        unit_amount=unit,
        metric=charge.metric_code,
        usage_period=period.name,
        usage_quantity=quantity,
    )


def late_usage_line(
    charge: Charge, usage_period: Period, quantity_now: Decimal, quantity_billed: Decimal, currency: str
) -> Line | None:
    """Usage that arrived after its period was invoiced: rate(all of it) − rate(what was invoiced), so
    tiers stay right. None when nothing changed."""
    if quantity_now == quantity_billed:
        return None
    exact = price(charge, quantity_now) - price(charge, quantity_billed)
    return Line(
        kind="late_usage",
        description=f"Late usage {usage_period}: {charge.metric_code}",
        amount=round_money(exact, currency),
        quantity=quantity_now - quantity_billed,
        metric=charge.metric_code,
        usage_period=usage_period.name,
        usage_quantity=quantity_now,
    )


def prorated_minimum(minimum: Decimal, days_active: int, period: Period, currency: str) -> Decimal:
    return round_money(minimum * Decimal(days_active) / Decimal(period.days), currency)


def minimum_true_up(
    charge_lines: Sequence[Line], minimum: Decimal | None, days_active: int, period: Period, currency: str
) -> Line | None:
    """The difference up to the minimum prorated by the contract's active days, if the charges fall short."""
    if minimum is None or days_active <= 0:
        return None
    floor = prorated_minimum(minimum, days_active, period, currency)
    charged = sum((line.amount for line in charge_lines), ZERO)
    if charged >= floor:
        return None
    return Line(
        kind="minimum_true_up",
        description=f"Minimum commitment {floor} ({days_active} of {period.days} days)",
        amount=floor - charged,
    )


@dataclass(frozen=True)
class ContractUsage:
    """What a contract did in a period, as the billing run measured it."""

    active_days: int
    device_days_by_model: Mapping[int, int] = field(default_factory=dict)
    quantities: Mapping[int, Decimal] = field(default_factory=dict)  # metric id -> aggregate


def rate_contract(
    charges: Sequence[Charge], usage: ContractUsage, minimum: Decimal | None, period: Period, currency: str
) -> list[Line]:
    """The lines of one contract's invoice for a period, before late usage: one per charge (device charges
    only where a device served), then the minimum true-up."""
    lines: list[Line] = []
    for charge in charges:
        if charge.kind == "device_monthly":
            if charge.device_model_id is None:
                days = sum(usage.device_days_by_model.values())
            else:
                days = usage.device_days_by_model.get(charge.device_model_id, 0)
            if days > 0:
                lines.append(device_line(charge, days, period, currency))
        else:
            quantity = usage.quantities.get(charge.metric_id or 0, ZERO)
            lines.append(metered_line(charge, quantity, period, currency))
    true_up = minimum_true_up(lines, minimum, usage.active_days, period, currency)
    return [*lines, true_up] if true_up else lines
