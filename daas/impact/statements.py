"""Statements: what a subscription is credited and charged, and the portfolio report by customer.

Both add up the same ledger lines (closed rows as stored, open months computed), so the report's figures
are exactly the sums of the statements' figures. A window covers whole months: `from` counts from the 1st
of its month, `to` through the last day of its month (or today, for the running month).
Both also show the packaging of the shipments delivered in the window (daas.impact.delivered_packaging).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.contracts.services import get_contract
from daas.core.errors import Invalid
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.devices.models import Device
from daas.extensions import db
from daas.impact.attribution import Row, add_row
from daas.impact.delivered_packaging import contract_packaging, packaging_by_customer
from daas.impact.ledger import Line, closed_lines, closed_periods, provisional_lines, read_lines
from daas.impact.models import ImpactParameterSet
from daas.impact.packaging import add_packaging, packaging_figures
from daas.impact.parameters import METHOD
from daas.logistics.models import DeviceUpgrade

# Quantities of a statement, in the order impact.md lists them (kilograms, except kWh). What was left of
# a device its customer bought is transferred, beside the allocation and never inside it.
QUANTITIES = (
    "allocated_co2e_kg",
    "allocated_mass_kg",
    "transferred_co2e_kg",
    "transferred_mass_kg",
    "use_phase_kwh",
    "use_phase_co2e_kg",
    "avoided_co2e_kg",
    "avoided_ewaste_kg",
    "certified_recycled_kg",
    "unmanaged_ewaste_avoided_kg",
)


@dataclass(frozen=True)
class Window:
    first: Period | None  # None: from the beginning
    last: Period
    start: date  # the day the window covers from
    end: date  # the last day it covers
    as_of: date


def make_window(start: date | None, end: date | None, as_of: date, default_start: date) -> Window:
    """Whole months from `start`'s month through `end`'s (default: from `default_start`, through today)."""
    if start is not None and end is not None and end < start:
        raise Invalid("`to` is before `from`.", {"to": ["must be on or after from"]})
    first = Period.containing(start) if start is not None else None
    last = Period.containing(end if end is not None else as_of)
    covered_from = first.start if first is not None else min(default_start, last.start)
    return Window(first, last, covered_from, last.end - timedelta(days=1), as_of)


def provisional_periods(window: Window, first_day: date) -> list[str]:
    """The months of the window that have begun and are not closed: their figures are computed."""
    closes = closed_periods()
    last_closed = max(closes, default="")
    period = window.first or Period.containing(first_day)
    out = []
    while period <= window.last and period.start <= window.as_of:
        if period.name > last_closed:
            out.append(period.name)
        period = period.next()
    return out


def _zero() -> dict[str, Any]:
    return {"service_days": 0, **{name: Decimal("0.000") for name in QUANTITIES}, "use_phase_co2e_kg": None}


def _add(total: dict[str, Any], line: Line) -> None:
    row = line.row
    total["service_days"] += row.service_days
    for name in QUANTITIES:
        value = getattr(row, name)
        if name == "use_phase_co2e_kg":
            if value is not None:
                total[name] = (total[name] or Decimal("0.000")) + value
        else:
            total[name] += value


def _sum_lines(lines: Iterable[Line]) -> dict[str, Any]:
    total = _zero()
    for line in lines:
        _add(total, line)
    return total


def _versions(lines: list[Line]) -> list[int]:
    ids = {line.parameter_set_id for line in lines}
    if not ids:
        return []
    return sorted(
        db.session.scalars(select(ImpactParameterSet.version).where(ImpactParameterSet.id.in_(ids)))
    )


def _device_facts(device_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    query = (
        select(Device.id, Device.serial, DeviceModel.sku, DeviceModel.category)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(Device.id.in_(ids))
    )
    return {
        device_id: (serial, sku, category) for device_id, serial, sku, category in db.session.execute(query)
    }


def _serving_devices(lines: Iterable[Line]) -> tuple[int, int]:
    """How many devices served in these lines, and how many of them in a second or later life."""
    days: dict[int, int] = defaultdict(int)
    lives: dict[int, int] = defaultdict(int)
    for line in lines:
        days[line.device_id] += line.row.service_days
        lives[line.device_id] = max(lives[line.device_id], line.row.life)
    serving = [device for device, count in days.items() if count > 0]
    return len(serving), sum(1 for device in serving if lives[device] >= 2)


def _upgrades_by_contract(window: Window, contract_id: int | None = None) -> dict[int, int]:
    """Upgrades instead of replacements done in the window, per contract of the deployment upgraded."""
    query = (
        select(Deployment.contract_id, func.count(DeviceUpgrade.id))
        .join(Deployment, Deployment.id == DeviceUpgrade.deployment_id)
        .where(DeviceUpgrade.performed_on <= window.end)
        .group_by(Deployment.contract_id)
    )
    if window.first is not None:
        query = query.where(DeviceUpgrade.performed_on >= window.start)
    if contract_id is not None:
        query = query.where(Deployment.contract_id == contract_id)
    return dict(db.session.execute(query).all())


def _by_period(lines: list[Line]) -> list[dict[str, Any]]:
    periods: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        periods[line.period].append(line)
    return [
        {"period": name, "provisional": any(line.provisional for line in group), **_sum_lines(group)}
        for name, group in sorted(periods.items())
    ]


def _delivered_from(window: Window) -> date | None:
    """Deliveries count from the window's first day; without `from`, from the beginning."""
    return window.start if window.first is not None else None


def contract_statement(
    contract_id: int, start: date | None, end: date | None, as_of: date, customer_scope: int | None = None
) -> dict[str, Any]:
    """The impact statement of one subscription over whole months (the whole contract by default)."""
    contract = get_contract(contract_id, customer_scope)
    window = make_window(start, end, as_of, contract.start_date)
    lines = read_lines(window.first, window.last, as_of, contract_id=contract.id)
    by_device_lines: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_device_lines[line.device_id].append(line)
    facts = _device_facts(by_device_lines)
    by_device = []
    for device_id, group in sorted(by_device_lines.items(), key=lambda item: facts[item[0]][0]):
        serial, sku, category = facts[device_id]
        by_device.append(
            {
                "device_id": device_id,
                "serial": serial,
                "sku": sku,
                "category": category,
                "life": max(line.row.life for line in group),
                "provisional": any(line.provisional for line in group),
                **_sum_lines(group),
            }
        )
    devices, second_life = _serving_devices(lines)
    return {
        "contract_id": contract.id,
        "customer_id": contract.customer_id,
        "from": window.start,
        "to": window.end,
        "as_of": as_of,
        "method": METHOD,
        "parameter_set_versions": _versions(lines),
        "provisional_periods": provisional_periods(window, contract.start_date),
        "devices": devices,
        "second_life_devices": second_life,
        "upgrades": _upgrades_by_contract(window, contract.id).get(contract.id, 0),
        **_sum_lines(lines),
        **contract_packaging(contract.id, _delivered_from(window), window.end),
        "by_period": _by_period(lines),
        "by_device": by_device,
    }


def _aggregate(lines: Iterable[Line]) -> tuple[list[Line], list[Line]]:
    """Computed lines added up per device and contract, and per month and contract, as they stream by."""
    by_device: dict[tuple[int, int | None], Line] = {}
    by_month: dict[tuple[str, int | None], Line] = {}
    for line in lines:
        for groups, key, period, device_id in (
            (by_device, (line.device_id, line.contract_id), "", line.device_id),
            (by_month, (line.period, line.contract_id), line.period, 0),
        ):
            total = groups.get(key)
            if total is None:
                total = groups[key] = Line(
                    period, device_id, Row(line.contract_id), line.parameter_set_id, True
                )
            add_row(total.row, line.row)
    return list(by_device.values()), list(by_month.values())


def portfolio_report(start: date | None, end: date | None, as_of: date) -> dict[str, Any]:
    """Every subscription's figures added up by customer, the provider's residual, and the total."""
    first_contract = db.session.scalar(select(func.min(Contract.start_date))) or as_of
    window = make_window(start, end, as_of, first_contract)
    # Closed months are added up in the database (per device and contract, and per month); open months
    # are computed.
    by_device, monthly_open = _aggregate(provisional_lines(window.first, window.last, as_of))
    lines = closed_lines(window.first, window.last, group_by=("device_id", "contract_id")) + by_device
    monthly = closed_lines(window.first, window.last, group_by=("period", "contract_id")) + monthly_open
    upgrades = _upgrades_by_contract(window)
    contract_customer = dict(db.session.execute(select(Contract.id, Contract.customer_id)).all())
    by_customer: dict[int, list[Line]] = defaultdict(list)
    provider: list[Line] = []
    for line in lines:
        if line.contract_id is None:
            provider.append(line)
        else:
            by_customer[contract_customer[line.contract_id]].append(line)
    # Packaging of every customer's deliveries, in one grouped query; a customer with deliveries in the
    # window and no service days in it is listed too.
    packaging = packaging_by_customer(_delivered_from(window), window.end)
    for customer_id in packaging:
        by_customer.setdefault(customer_id, [])
    names = dict(db.session.execute(select(Customer.id, Customer.name)).all())
    customers = []
    for customer_id, group in sorted(by_customer.items(), key=lambda item: (names[item[0]], item[0])):
        delivered_to, packed = packaging.get(customer_id, (set(), packaging_figures({})))
        contract_ids = sorted(
            {line.contract_id for line in group if line.contract_id is not None} | delivered_to
        )
        devices, second_life = _serving_devices(group)
        customers.append(
            {
                "customer_id": customer_id,
                "name": names[customer_id],
                "contracts": len(contract_ids),
                "devices": devices,
                "second_life_devices": second_life,
                "upgrades": sum(upgrades.get(contract_id, 0) for contract_id in contract_ids),
                **_sum_lines(group),
                **packed,
            }
        )
    subscription_lines = [line for line in lines if line.contract_id is not None]
    devices, second_life = _serving_devices(subscription_lines)
    residual = _sum_lines(provider)
    return {
        "from": window.start,
        "to": window.end,
        "as_of": as_of,
        "method": METHOD,
        "parameter_set_versions": _versions(monthly),
        "provisional_periods": provisional_periods(window, first_contract),
        "customers": customers,
        "total": {
            "customers": len(customers),
            "contracts": sum(item["contracts"] for item in customers),
            "devices": devices,
            "second_life_devices": second_life,
            "upgrades": sum(item["upgrades"] for item in customers),
            **_sum_lines(subscription_lines),
            **add_packaging(customers),
        },
        "provider_residual": {
            "devices": len({line.device_id for line in provider}),
            "allocated_co2e_kg": residual["allocated_co2e_kg"],
            "allocated_mass_kg": residual["allocated_mass_kg"],
            "certified_recycled_kg": residual["certified_recycled_kg"],
        },
        "by_period": _by_period([line for line in monthly if line.contract_id is not None]),
    }


def contract_ledger(
    contract_id: int, start: date | None, end: date | None, as_of: date, customer_scope: int | None = None
) -> list[dict[str, Any]]:
    """The ledger rows behind a statement, month by month and device by device (open months computed),
    with the balances after each month and the parameter set version: what an auditor recomputes."""
    contract = get_contract(contract_id, customer_scope)
    window = make_window(start, end, as_of, contract.start_date)
    lines = read_lines(window.first, window.last, as_of, contract_id=contract.id)
    facts = _device_facts(line.device_id for line in lines)
    versions = dict(db.session.execute(select(ImpactParameterSet.id, ImpactParameterSet.version)).all())
    out = []
    for line in sorted(lines, key=lambda item: (item.period, facts[item.device_id][0])):
        serial, sku, _ = facts[line.device_id]
        row = line.row
        out.append(
            {
                "period": line.period,
                "provisional": line.provisional,
                "contract_id": contract.id,
                "serial": serial,
                "sku": sku,
                "life": row.life,
                **{name: getattr(row, name) for name in ("service_days", *QUANTITIES)},
                "balance_co2e_kg": row.balance_co2e_kg,
                "balance_mass_kg": row.balance_mass_kg,
                "parameter_set_version": versions[line.parameter_set_id],
            }
        )
    return out
