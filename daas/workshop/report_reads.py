"""What the yearly sustainability report reads, set-based: for one customer or for all of them at once (the
portfolio), each over its own reporting year, in a fixed number of grouped queries whatever the fleet's
size (no query per device or per customer). The arithmetic is daas.workshop.report_figures'.

A ledger row belongs to the customer of its contract; the provider's own rows (no contract) are never read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Select, and_, case, func, literal, or_, select, union_all

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.customers.models import Customer
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.impact.ledger import closed_periods
from daas.impact.models import ImpactLedgerRow, ImpactParameterSet
from daas.people.models import Person
from daas.workshop.report_figures import FATE_OF_ACTION, fate, months

Window = tuple[date, date]  # first and last day of a customer's reporting year
SUMMED = (
    "allocated_co2e_kg",
    "allocated_mass_kg",
    "transferred_co2e_kg",
    "transferred_mass_kg",
    "avoided_co2e_kg",
    "avoided_ewaste_kg",
    "certified_recycled_kg",
    "unmanaged_ewaste_avoided_kg",
)


@dataclass
class LedgerSums:
    totals: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(SUMMED, Decimal("0.000")))
    versions: set[int] = field(default_factory=set)
    sourced: int = 0  # rows of models with a manufacturer's footprint sheet
    unsourced: int = 0


@dataclass
class CountryKwh:
    kwh: Decimal = Decimal("0.000")
    sourced: int = 0
    unsourced: int = 0


@dataclass
class Flows:
    inflows: list[tuple[bool, Decimal]] = field(default_factory=list)  # (second life?, kg)
    outflows: list[tuple[str, Decimal]] = field(default_factory=list)  # (fate, kg)
    sourced: int = 0
    unsourced: int = 0


def closed_months(window: Window, closes: Mapping[str, int]) -> tuple[list[str], list[str]]:
    """The months of the window that are closed (`closes`: daas.impact.ledger.closed_periods()), and those
    after the last closed month (listed as missing). Months close in order from the first with any
    activity, so a month before the first closed one had no service to report: neither closed nor missing."""
    names = months(*window)
    last_closed = max(closes, default="")
    return [m for m in names if m in closes], [m for m in names if m > last_closed]


def _scoped(query: Select, customer_id: int | None) -> Select:
    return query if customer_id is None else query.where(Contract.customer_id == customer_id)


def _closed_in_some_window(windows: Mapping[int, Window]) -> list[str]:
    closes = closed_periods()
    return sorted({m for window in windows.values() for m in months(*window) if m in closes})


def _has_sheet() -> object:
    return case((DeviceModel.source.is_not(None), 1), else_=0)


def ledger_sums(windows: Mapping[int, Window], customer_id: int | None) -> dict[int, LedgerSums]:
    """The closed rows of each customer's year added up: one query grouped by customer and month."""
    periods = _closed_in_some_window(windows)
    out: dict[int, LedgerSums] = defaultdict(LedgerSums)
    if not periods:
        return out
    sheet = _has_sheet()
    query = _scoped(
        select(
            Contract.customer_id,
            ImpactLedgerRow.period,
            ImpactParameterSet.version,
            sheet,
            func.count(ImpactLedgerRow.id),
            *(func.sum(getattr(ImpactLedgerRow, name)) for name in SUMMED),
        )
        .join(Contract, Contract.id == ImpactLedgerRow.contract_id)
        .join(ImpactParameterSet, ImpactParameterSet.id == ImpactLedgerRow.parameter_set_id)
        .join(Device, Device.id == ImpactLedgerRow.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(ImpactLedgerRow.period.in_(periods))
        .group_by(Contract.customer_id, ImpactLedgerRow.period, ImpactParameterSet.version, sheet),
        customer_id,
    )
    for customer, period, version, sourced, rows, *values in db.session.execute(query):
        if customer not in windows or period not in months(*windows[customer]):
            continue
        sums = out[customer]
        sums.versions.add(version)
        if sourced:
            sums.sourced += rows
        else:
            sums.unsourced += rows
        for name, value in zip(SUMMED, values, strict=True):
            sums.totals[name] += Decimal(value or 0)
    return out


def _month_days(periods: list[str]) -> object:
    """The months as a small table (period, first day, first day after), for the query to join."""
    rows = []
    for name in periods:
        year, month = int(name[:4]), int(name[5:])
        rows.append(
            select(
                literal(name).label("period"),
                literal(date(year, month, 1), Date).label("first"),
                literal(date(year + (month == 12), month % 12 + 1, 1), Date).label("after"),
            )
        )
    return union_all(*rows).subquery("months")


def kwh_by_country(
    windows: Mapping[int, Window], customer_id: int | None
) -> dict[int, dict[str, CountryKwh]]:
    """Use-phase kWh of each customer's year by the country where the device served: the country of the
    person of its deployment in that month (the latest deployment of the device on the row's contract
    that overlaps the month), else the customer's country. One grouped query."""
    periods = _closed_in_some_window(windows)
    out: dict[int, dict[str, CountryKwh]] = defaultdict(lambda: defaultdict(CountryKwh))
    if not periods:
        return out
    month = _month_days(periods)
    # Each row joined to the deployments of its device on its contract that overlap its month, the latest
    # first: a hash join and a window function, not a subquery per row.
    latest_first = func.row_number().over(
        partition_by=ImpactLedgerRow.id, order_by=(Deployment.start_date.desc(), Deployment.id.desc())
    )
    rows = _scoped(
        select(
            Contract.customer_id.label("customer_id"),
            month.c.period,
            func.coalesce(Person.country, Customer.country).label("country"),
            _has_sheet().label("sheet"),
            ImpactLedgerRow.use_phase_kwh.label("kwh"),
            latest_first.label("rank"),
        )
        .select_from(ImpactLedgerRow)
        .join(month, month.c.period == ImpactLedgerRow.period)
        .join(Contract, Contract.id == ImpactLedgerRow.contract_id)
        .join(Customer, Customer.id == Contract.customer_id)
        .join(Device, Device.id == ImpactLedgerRow.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .outerjoin(
            Deployment,
            and_(
                Deployment.device_id == ImpactLedgerRow.device_id,
                Deployment.contract_id == ImpactLedgerRow.contract_id,
                Deployment.start_date < month.c.after,
                or_(Deployment.end_date.is_(None), Deployment.end_date > month.c.first),
            ),
        )
        .outerjoin(Person, Person.id == Deployment.person_id),
        customer_id,
    ).subquery("rows")
    query = (
        select(
            rows.c.customer_id,
            rows.c.period,
            rows.c.country,
            rows.c.sheet,
            func.count(),
            func.sum(rows.c.kwh),
        )
        .where(rows.c.rank == 1)
        .group_by(rows.c.customer_id, rows.c.period, rows.c.country, rows.c.sheet)
    )
    for customer, period, where, sourced, rows, kwh in db.session.execute(query):
        if customer not in windows or period not in months(*windows[customer]):
            continue
        line = out[customer][where.upper()]
        line.kwh += Decimal(kwh or 0)
        if sourced:
            line.sourced += rows
        else:
            line.unsourced += rows
    return out


@dataclass(frozen=True)
class _Deployment:
    customer_id: int
    start: date
    end: date | None
    kg: Decimal
    sourced: bool


def _touching(windows: Mapping[int, Window], customer_id: int | None) -> Select:
    """The devices with a deployment of a reported customer starting or ending within its reports' days."""
    first = min(window[0] for window in windows.values())
    last = max(window[1] for window in windows.values())
    return _scoped(
        select(Deployment.device_id)
        .join(Contract, Contract.id == Deployment.contract_id)
        .where(
            or_(
                Deployment.start_date.between(first, last),
                and_(Deployment.end_date.is_not(None), Deployment.end_date.between(first, last)),
            )
        ),
        customer_id,
    )


def device_flows(windows: Mapping[int, Window], customer_id: int | None) -> dict[int, Flows]:
    """Devices that started and stopped serving each customer in its year, with their second life and
    fate: two queries (the deployments of the devices concerned, with anyone, and their settling custody
    actions)."""
    out: dict[int, Flows] = defaultdict(Flows)
    if not windows:
        return out
    devices = _touching(windows, customer_id)
    deployments: dict[int, list[_Deployment]] = defaultdict(list)
    query = (
        select(
            Deployment.device_id,
            Contract.customer_id,
            Deployment.start_date,
            Deployment.end_date,
            DeviceModel.weight_kg,
            DeviceModel.source.is_not(None),
        )
        .join(Contract, Contract.id == Deployment.contract_id)
        .join(Device, Device.id == Deployment.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(Deployment.device_id.in_(devices))
        .order_by(Deployment.device_id, Deployment.start_date, Deployment.id)
    )
    for device_id, customer, start, end, kg, sourced in db.session.execute(query):
        deployments[device_id].append(_Deployment(customer, start, end, Decimal(kg), bool(sourced)))
    actions: dict[int, list[tuple[date, str]]] = defaultdict(list)
    events = (
        select(CustodyEvent.device_id, CustodyEvent.occurred_on, CustodyEvent.action)
        .where(CustodyEvent.device_id.in_(devices), CustodyEvent.action.in_(tuple(FATE_OF_ACTION)))
        .order_by(CustodyEvent.device_id, CustodyEvent.occurred_on, CustodyEvent.seq)
    )
    for device_id, on, action in db.session.execute(events):
        actions[device_id].append((on, action))
    for device_id, lives in deployments.items():
        _device_flows(lives, actions.get(device_id, []), windows, out)
    return out


def _device_flows(
    lives: list[_Deployment],
    actions: list[tuple[date, str]],
    windows: Mapping[int, Window],
    out: dict[int, Flows],
) -> None:
    for index, life in enumerate(lives):
        window = windows.get(life.customer_id)
        if window is None:
            continue
        first, last = window
        same_customer = [other for other in lives if other.customer_id == life.customer_id]
        flows = out[life.customer_id]
        starts = first <= life.start <= last
        continues = any(other.end == life.start for other in same_customer)
        if starts and not continues:
            flows.inflows.append((index > 0, life.kg))
            _count_source(flows, life)
        if life.end is None or not first <= life.end <= last:
            continue
        if any(other.start == life.end for other in same_customer):
            continue  # served on by another of the customer's deployments from that day
        later = [other.start for other in lives[index + 1 :] if other.start >= life.end]
        after = [(on, action) for on, action in actions if on >= life.end]
        flows.outflows.append((fate(after, min(later, default=None)), life.kg))
        _count_source(flows, life)


def _count_source(flows: Flows, life: _Deployment) -> None:
    if life.sourced:
        flows.sourced += 1
    else:
        flows.unsourced += 1
