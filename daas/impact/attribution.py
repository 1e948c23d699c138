"""Attribution of a device's embodied footprint and mass to the subscriptions it served (impact.md).
Pure: a device, its state and what happened to it in a period in; ledger rows and the next state out.

Each device keeps two balances, CO2e (E0, raised by R at every refurbishment or upgrade) and mass (m),
spent at a daily rate = balance / expected service days left. Expected days start at L_ref and are
re-estimated at every refurbishment or upgrade to the extension it grants; days past the expectation
charge nothing; at end of life what is left goes to the provider; when the customer it served buys it,
what is left goes to the buyer's contract as a transfer, beside its allocation (the device is the buyer's
own asset from then on, so nothing is avoided by the sale and the provider keeps nothing of it). The rate
is constant between events, so a run of n days charges balance × n / expected exactly.

Arithmetic is exact (fractions). Rows are rounded to grams by cumulative rounding per device (each row
is the rounded running total minus the previous one), so allocated + transferred + residual equals
E0 + ΣR, and m, to the gram.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from daas.impact.parameters import Parameters

GRAM = Decimal("0.001")
PROVIDER = None  # the provider's own account in ledger rows


def grams(value: Fraction) -> Decimal:
    """Round an exact quantity of kilograms to grams, half up."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(GRAM, rounding=ROUND_HALF_UP)


def _exact(value: Decimal | int) -> Fraction:
    return Fraction(value)


@dataclass(frozen=True)
class DeviceFacts:
    device_id: int
    category: str
    embodied_kg: Decimal  # E0
    mass_kg: Decimal  # m
    kwh_per_year: Decimal  # TEC


@dataclass(frozen=True)
class Service:
    """A deployment: the device served this contract on the days [start, end)."""

    contract_id: int
    start: date
    end: date | None
    life: int = 1  # which life of the device (1 = first deployment)
    country: str | None = None  # the customer's, for a grid factor


@dataclass(frozen=True)
class Refurbishment:
    on: date
    grade: str


@dataclass(frozen=True)
class Upgrade:
    on: date
    kit: str


@dataclass(frozen=True)
class EndOfLife:
    on: date
    kind: str  # recycle | harvest | lose


@dataclass(frozen=True)
class Sale:
    """Bought out by the customer of `contract_id`, whose deployment ended that day (not served)."""

    on: date
    contract_id: int


Event = Refurbishment | Upgrade | EndOfLife | Sale


@dataclass
class DeviceState:
    """Where a device stands between periods, exactly."""

    balance_co2: Fraction
    balance_mass: Fraction
    expected_days: Fraction
    added_co2: Fraction = Fraction(0)  # ΣR so far
    allocated_co2: Fraction = Fraction(0)  # to subscriptions, exact running total
    allocated_mass: Fraction = Fraction(0)
    days_by_contract: dict[int, int] = field(default_factory=dict)
    # Exact running totals per contract of the figures rounded once per contract ("avoided_co2e_kg", 3):
    # each row gets the rounded total after it minus the rounded total before, so rows add up to the
    # figure rounded once.
    accrued: dict[tuple[str, int | None], Fraction] = field(default_factory=dict)
    ended: bool = False

    @classmethod
    def new(cls, facts: DeviceFacts, parameters: Parameters) -> DeviceState:
        return cls(
            _exact(facts.embodied_kg), _exact(facts.mass_kg), Fraction(parameters.reference_service_days)
        )

    _EXACT = ("balance_co2", "balance_mass", "expected_days", "added_co2", "allocated_co2", "allocated_mass")

    def to_json(self) -> dict[str, Any]:
        """Exactly (fractions as "n/d" text), so that a month can start from a stored state."""
        return {
            **{name: str(getattr(self, name)) for name in self._EXACT},
            "days_by_contract": [[contract, days] for contract, days in self.days_by_contract.items()],
            "accrued": [[name, contract, str(value)] for (name, contract), value in self.accrued.items()],
            "ended": self.ended,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceState:
        return cls(
            **{name: Fraction(data[name]) for name in cls._EXACT},
            days_by_contract={int(contract): int(days) for contract, days in data["days_by_contract"]},
            accrued={(name, contract): Fraction(value) for name, contract, value in data["accrued"]},
            ended=bool(data["ended"]),
        )


@dataclass
class Row:
    """One ledger row: a contract's share of a device in a period, or the provider's (contract None)."""

    contract_id: int | None
    service_days: int = 0
    allocated_co2e_kg: Decimal = Decimal(0)
    allocated_mass_kg: Decimal = Decimal(0)
    # What was left of the device when this contract's customer bought it (beside the allocation).
    transferred_co2e_kg: Decimal = Decimal(0)
    transferred_mass_kg: Decimal = Decimal(0)
    avoided_co2e_kg: Decimal = Decimal(0)
    avoided_ewaste_kg: Decimal = Decimal(0)
    certified_recycled_kg: Decimal = Decimal(0)
    unmanaged_ewaste_avoided_kg: Decimal = Decimal(0)
    use_phase_kwh: Decimal = Decimal(0)
    use_phase_co2e_kg: Decimal | None = None
    life: int = 0
    # The device's balances after the period (the same on all its rows of the period).
    balance_co2e_kg: Decimal = Decimal(0)
    balance_mass_kg: Decimal = Decimal(0)


def _rounded_delta(before: Fraction, after: Fraction) -> Decimal:
    return grams(after) - grams(before)


def _chunks(services: Sequence[Service], events: Sequence[Event], start: date, end: date) -> list[Any]:
    """The period's timeline: runs of service days (split at events) and the events, in date order."""
    cuts = sorted({e.on for e in events if start <= e.on < end})
    timeline: list[tuple[date, int, Any]] = []
    for service in services:
        first, last = max(service.start, start), min(service.end or end, end)
        if last <= first:
            continue
        edges = [first, *[c for c in cuts if first < c < last], last]
        for a, b in itertools.pairwise(edges):
            timeline.append((a, 1, (service, (b - a).days)))
    for event in events:
        if start <= event.on < end:
            timeline.append((event.on, 0, event))  # an event on a day comes before that day's service
    timeline.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in timeline]


def _accrue(state: DeviceState, target: Row, name: str, amount: Fraction) -> None:
    key = (name, target.contract_id)
    before = state.accrued.get(key, Fraction(0))
    state.accrued[key] = before + amount
    setattr(target, name, (getattr(target, name) or Decimal(0)) + _rounded_delta(before, before + amount))


def _serve(
    facts: DeviceFacts,
    state: DeviceState,
    target: Row,
    service: Service,
    days: int,
    parameters: Parameters,
) -> None:
    """A run of service days: charge the contract at the constant rate balance / expected days."""
    charge_days = min(Fraction(days), state.expected_days)
    co2 = state.balance_co2 * charge_days / state.expected_days if charge_days > 0 else Fraction(0)
    mass = state.balance_mass * charge_days / state.expected_days if charge_days > 0 else Fraction(0)
    target.service_days += days
    target.life = max(target.life, service.life)
    target.allocated_co2e_kg += _rounded_delta(state.allocated_co2, state.allocated_co2 + co2)
    target.allocated_mass_kg += _rounded_delta(state.allocated_mass, state.allocated_mass + mass)
    l_ref = Fraction(parameters.reference_service_days)
    _accrue(state, target, "avoided_co2e_kg", days * _exact(facts.embodied_kg) / l_ref - co2)
    _accrue(state, target, "avoided_ewaste_kg", days * _exact(facts.mass_kg) / l_ref - mass)
    kwh = Fraction(days) * _exact(facts.kwh_per_year) / 365
    _accrue(state, target, "use_phase_kwh", kwh)
    factor = parameters.grid_kg_per_kwh.get(service.country or "")
    if factor is not None:
        _accrue(state, target, "use_phase_co2e_kg", kwh * _exact(factor))
    state.balance_co2 -= co2
    state.balance_mass -= mass
    state.expected_days = max(state.expected_days - days, Fraction(0))
    state.allocated_co2 += co2
    state.allocated_mass += mass
    state.days_by_contract[service.contract_id] = state.days_by_contract.get(service.contract_id, 0) + days


def _extend(state: DeviceState, added_kg: Decimal, extension_days: int) -> None:
    """A refurbishment or upgrade: its footprint joins the balance, the expected life is re-estimated."""
    state.balance_co2 += _exact(added_kg)
    state.added_co2 += _exact(added_kg)
    state.expected_days = Fraction(extension_days)


def attribute_period(
    facts: DeviceFacts,
    state: DeviceState,
    services: Iterable[Service],
    events: Iterable[Event],
    start: date,
    end: date,
    parameters: Parameters,
) -> tuple[list[Row], DeviceState]:
    """The ledger rows of one device for the days [start, end), and its state after them."""
    services, events = list(services), list(events)
    rows: dict[int | None, Row] = {}

    def row(contract_id: int | None) -> Row:
        if contract_id not in rows:
            rows[contract_id] = Row(contract_id)
        return rows[contract_id]

    for item in _chunks(services, events, start, end):
        if state.ended:
            break
        if isinstance(item, tuple):
            service, days = item
            _serve(facts, state, row(service.contract_id), service, days, parameters)
        elif isinstance(item, Refurbishment):
            added = parameters.refurbishment_kg.get(facts.category, Decimal(0))
            _extend(state, added, parameters.grade_extension_days.get(item.grade, 0))
        elif isinstance(item, Upgrade):
            _extend(
                state, parameters.upgrade_kit_kg.get(item.kit, Decimal(0)), parameters.upgrade_extension_days
            )
        elif isinstance(item, Sale):
            _sell(facts, state, row(item.contract_id), _life_on(services, item))
        else:
            _end_of_life(facts, state, item, row, parameters)

    for target in rows.values():
        target.balance_co2e_kg, target.balance_mass_kg = grams(state.balance_co2), grams(state.balance_mass)
    return list(rows.values()), state


def _remaining(facts: DeviceFacts, state: DeviceState) -> tuple[Decimal, Decimal]:
    """What is left of the device's CO2e and mass, rounded so that the device's rows (each the rounded
    running total minus the one before) add up to E0 + ΣR and m to the gram; its balances end at zero."""
    co2 = grams(_exact(facts.embodied_kg) + state.added_co2) - grams(state.allocated_co2)
    mass = grams(_exact(facts.mass_kg)) - grams(state.allocated_mass)
    state.balance_co2 = state.balance_mass = Fraction(0)
    state.ended = True
    return co2, mass


def _life_on(services: Sequence[Service], sale: Sale) -> int:
    """The life the sold device was living on the buyer's contract (its last deployment there)."""
    lives = [s.life for s in services if s.contract_id == sale.contract_id and s.start <= sale.on]
    return max(lives, default=0)


def _sell(facts: DeviceFacts, state: DeviceState, target: Row, life: int) -> None:
    """A buy-out: what is left goes to the buyer's contract as a transfer, not as an allocation (it is no
    service day's share) and with nothing avoided; the provider keeps no residual of the device."""
    co2, mass = _remaining(facts, state)
    target.transferred_co2e_kg += co2
    target.transferred_mass_kg += mass
    target.life = max(target.life, life)


def _end_of_life(
    facts: DeviceFacts, state: DeviceState, event: EndOfLife, row: Any, parameters: Parameters
) -> None:
    """What is left goes to the provider; recycled mass is shared by service days among the subscriptions
    the device served, with what it keeps out of unmanaged e-waste."""
    residual = row(PROVIDER)
    co2, mass_left = _remaining(facts, state)
    residual.allocated_co2e_kg += co2
    residual.allocated_mass_kg += mass_left
    if event.kind != "recycle":
        return
    served = sum(state.days_by_contract.values())
    mass = _exact(facts.mass_kg)
    if served == 0:
        residual.certified_recycled_kg += grams(mass)
        return
    done, running = Fraction(0), 0
    for contract_id, days in sorted(state.days_by_contract.items()):
        running += days
        share_after = mass * running / served
        target = row(contract_id)
        share = grams(share_after) - grams(done)
        target.certified_recycled_kg += share
        target.unmanaged_ewaste_avoided_kg += (share * (1 - parameters.formal_collection_rate)).quantize(
            GRAM, rounding=ROUND_HALF_UP
        )
        done = share_after


def month_starts(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s month through `last`'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


# The figures of a row that add up across rows (and that a correction row carries the difference of).
ADDITIVE = (
    "service_days",
    "allocated_co2e_kg",
    "allocated_mass_kg",
    "transferred_co2e_kg",
    "transferred_mass_kg",
    "avoided_co2e_kg",
    "avoided_ewaste_kg",
    "certified_recycled_kg",
    "unmanaged_ewaste_avoided_kg",
    "use_phase_kwh",
)


def add_row(total: Row, row: Row, sign: int = 1) -> None:
    """Add (or with sign -1, subtract) a row's figures into a running total of the same key."""
    for name in ADDITIVE:
        setattr(total, name, getattr(total, name) + sign * getattr(row, name))
    if row.use_phase_co2e_kg is not None:
        total.use_phase_co2e_kg = (total.use_phase_co2e_kg or Decimal(0)) + sign * row.use_phase_co2e_kg
    total.life = max(total.life, row.life)


def is_zero(row: Row) -> bool:
    return not any(getattr(row, name) for name in ADDITIVE) and not row.use_phase_co2e_kg
