"""What a billing run reads, set-based: the contracts of a period, their plan histories, their device-days
and their usage aggregates, each in a handful of queries for the whole period rather than queries per
contract.

Usage is aggregated by the database (count, exact NUMERIC sums and maxima; SQLite keeps decimals as
integers of their smallest unit, so its sums are exact too) and unique counts per metric with
COUNT(DISTINCT) over the property the metric names.

Usage is what customers send, so one contract's events must not stop the read for the others: the
property is read so that no stored text can make PostgreSQL fail, and when a read still fails (SQLite
cannot sum past 64-bit integers, nor read JSON that was stored malformed) the contracts are split in
halves until the failing ones are found; their errors are returned beside the others' usage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, String, Text, and_, case, cast, func, or_, select, tuple_
from sqlalchemy.exc import DBAPIError

from daas.billing.models import BilledUsage
from daas.billing.rating import ZERO, Charge, Tier
from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, ContractPlan, Deployment
from daas.contracts.plan_changes import PlanSpan
from daas.core.languages import document_language
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.devices.models import Device
from daas.extensions import db
from daas.pricing.models import Metric, Plan
from daas.usage.models import UsageEvent, UsageRevision

# Usage received this long before a period's usage was billed is checked again for late arrivals: it
# covers ingestion transactions that were still open at that moment. Only a changed total bills anything.
LATE_USAGE_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class ContractTerms:
    id: int
    customer_id: int
    plan_id: int
    start_date: date
    end_date: date
    minimum: Decimal | None


@dataclass(frozen=True)
class CustomerTerms:
    id: int
    name: str
    country: str
    vat_id: str | None
    billing_email: str
    payment_terms_days: int
    language: str  # the document language its invoices are written in (daas.core.languages)


@dataclass(frozen=True)
class PlanTerms:
    id: int
    code: str
    currency: str
    minimum: Decimal | None
    charges: tuple[Charge, ...]


def _contract_terms(*conditions: Any) -> list[ContractTerms]:
    columns = (
        Contract.id,
        Contract.customer_id,
        Contract.plan_id,
        Contract.start_date,
        Contract.end_date,
        Contract.minimum_monthly_amount,
    )
    rows = db.session.execute(select(*columns).where(*conditions).order_by(Contract.id))
    return [ContractTerms(*row) for row in rows]


def _active_in(period: Period) -> tuple[Any, ...]:
    return (Contract.start_date < period.end, Contract.end_date > period.start)


def _within(column: Any, contracts: tuple[int, int] | None) -> tuple[Any, ...]:
    """The condition that `column` names a contract in [first, last] of `contracts` (None: any)."""
    return () if contracts is None else (column.between(*contracts),)


def contracts_billed_in(period: Period, contracts: tuple[int, int] | None = None) -> list[ContractTerms]:
    """Contracts active on at least one day of the period, by id (those with ids in `contracts`)."""
    return _contract_terms(*_active_in(period), *_within(Contract.id, contracts))


def ids_billed_in(period: Period) -> list[int]:
    """The ids of the contracts active on at least one day of the period, in order."""
    return list(db.session.scalars(select(Contract.id).where(*_active_in(period)).order_by(Contract.id)))


def count_contracts_billed_in(period: Period) -> int:
    """How many contracts a run of the period bills (what a preview shows), counted by the database."""
    return db.session.scalar(select(func.count()).select_from(Contract).where(*_active_in(period))) or 0


def contracts_by_id(ids: Iterable[int]) -> list[ContractTerms]:
    ids = sorted(set(ids))
    return _contract_terms(Contract.id.in_(ids)) if ids else []


def customers(ids: Iterable[int]) -> dict[int, CustomerTerms]:
    ids = set(ids)
    rows = (
        db.session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.country,
                Customer.vat_id,
                Customer.billing_email,
                Customer.payment_terms_days,
                Customer.document_language,
            ).where(Customer.id.in_(ids))
        )
        if ids
        else []
    )
    return {
        row.id: CustomerTerms(
            row.id,
            row.name,
            row.country,
            row.vat_id,
            row.billing_email,
            row.payment_terms_days,
            document_language(row.document_language, row.country),
        )
        for row in rows
    }


def model_name(sku: str, manufacturer: str | None, name: str | None) -> str:
    """What invoice lines call a device model: its maker and name ("Dell Latitude 5440"; the name alone
    when it starts with the maker), else its SKU."""
    name, manufacturer = (name or "").strip(), (manufacturer or "").strip()
    if not name:
        return sku
    if not manufacturer or name.casefold().startswith(manufacturer.casefold()):
        return name
    return f"{manufacturer} {name}"


def device_model_names(ids: Iterable[int]) -> dict[int, str]:
    """device model id -> what invoice lines call it (`model_name`); models of these that share a name
    are told apart by their SKU ("Dell Latitude 5440 (LAT-5440-I7)")."""
    ids = set(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(DeviceModel.id, DeviceModel.sku, DeviceModel.manufacturer, DeviceModel.name).where(
            DeviceModel.id.in_(ids)
        )
    ).all()
    names = {row.id: model_name(row.sku, row.manufacturer, row.name) for row in rows}
    shared = {name for name, count in Counter(names.values()).items() if count > 1}
    return {
        row.id: f"{names[row.id]} ({row.sku})"
        if names[row.id] in shared and names[row.id] != row.sku
        else names[row.id]
        for row in rows
    }


def plans() -> dict[int, PlanTerms]:
    """Every plan with its charges, as rating needs them (plans are few and never change)."""
    result: dict[int, PlanTerms] = {}
    for plan in db.session.scalars(select(Plan)):
        charges = tuple(
            Charge(
                kind=c.kind,
                unit_amount=c.unit_amount,
                device_model_id=c.device_model_id,
                device_model_sku=c.device_model.sku if c.device_model else None,
                device_model_name=(
                    model_name(c.device_model.sku, c.device_model.manufacturer, c.device_model.name)
                    if c.device_model
                    else None
                ),
                metric_id=c.metric_id,
                metric_code=c.metric.code if c.metric else None,
                metric_name=(c.metric.name or c.metric.code) if c.metric else None,
                model=c.model,
                tiers=tuple(Tier(t.up_to, t.unit_amount, t.flat_amount) for t in c.tiers),
                package_size=c.package_size,
            )
            for c in plan.charges
        )
        result[plan.id] = PlanTerms(plan.id, plan.code, plan.currency, plan.minimum_monthly_amount, charges)
    return result


def plan_histories(
    period: Period | None = None,
    contract_ids: Iterable[int] | None = None,
    contracts: tuple[int, int] | None = None,
) -> dict[int, list[PlanSpan[int]]]:
    """contract id -> its plans in date order (plan ids), in one query: with `period`, the plans that touch
    it of the contracts active in it (else all of a contract's plans), of the contracts `contract_ids`
    (every contract when None) with ids in `contracts` ([first, last]; None: any)."""
    query = select(
        ContractPlan.contract_id,
        ContractPlan.plan_id,
        ContractPlan.starts_on,
        ContractPlan.ends_on,
        ContractPlan.minimum_monthly_amount,
    ).where(*_within(ContractPlan.contract_id, contracts))
    query = query.order_by(ContractPlan.contract_id, ContractPlan.starts_on)
    if period is not None:
        query = query.join(Contract, Contract.id == ContractPlan.contract_id).where(
            *_active_in(period),
            ContractPlan.starts_on < period.end,
            or_(ContractPlan.ends_on.is_(None), ContractPlan.ends_on > period.start),
        )
    if contract_ids is not None:
        ids = sorted(set(contract_ids))
        if not ids:
            return {}
        query = query.where(ContractPlan.contract_id.in_(ids))
    result: dict[int, list[PlanSpan[int]]] = defaultdict(list)
    for contract_id, plan_id, starts_on, ends_on, minimum in db.session.execute(query):
        result[contract_id].append(PlanSpan(plan_id, starts_on, ends_on, minimum))
    return result


def deployments_in(
    period: Period, contracts: tuple[int, int] | None = None
) -> dict[int, dict[int, list[tuple[date, date | None]]]]:
    """contract id -> device model id -> deployments that touch the period (of the contracts with ids in
    `contracts`, [first, last]; None: every contract)."""
    rows = db.session.execute(
        select(Deployment.contract_id, Device.device_model_id, Deployment.start_date, Deployment.end_date)
        .join(Device, Device.id == Deployment.device_id)
        .where(
            Deployment.start_date < period.end,
            or_(Deployment.end_date.is_(None), Deployment.end_date > period.start),
            *_within(Deployment.contract_id, contracts),
        )
    )
    result: dict[int, dict[int, list[tuple[date, date | None]]]] = defaultdict(lambda: defaultdict(list))
    for contract_id, model_id, start, end in rows:
        result[contract_id][model_id].append((start, end))
    return result


def metric_aggregations() -> dict[int, tuple[str, str | None]]:
    """metric id -> (its aggregation, the property a unique count counts)."""
    return {
        row.id: (row.aggregation, row.field)
        for row in db.session.execute(select(Metric.id, Metric.aggregation, Metric.field))
    }


# A JSON escape PostgreSQL cannot turn into text (\u0000, or a surrogate without its other half), when it
# is an escape (after an even run of backslashes). Such JSON is stored (the json type keeps text as sent),
# but `->>` on it fails, and with it the whole statement.
_UNREADABLE_ESCAPE = (
    r"(?<!\\)((?:\\\\)*)\\u("
    r"0000"
    r"|[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2}\\u)[dD][c-fC-F][0-9a-fA-F]{2})"
)


def distinct_value(field: str):
    """The property's value as text, the same on PostgreSQL (->>) and SQLite (json_extract).

    On PostgreSQL, events whose JSON has an escape at all are read after replacing each unreadable
    escape by U+FFFD, the replacement character (what a UTF-8 decoder makes of such text; SQLite reads
    them as they are): the event still counts once, and nothing it holds can fail the read."""
    value = UsageEvent.properties[field].as_string()
    if db.session.get_bind().dialect.name != "postgresql":
        return cast(value, String)
    raw = cast(UsageEvent.properties, Text)
    readable = cast(func.regexp_replace(raw, _UNREADABLE_ESCAPE, r"\1\\ufffd", "g"), JSON)
    return case((func.strpos(raw, "\\u") > 0, readable[field].as_string()), else_=value)


def aggregated(
    aggregation: str, count: int, total: Decimal | None, highest: Decimal | None
) -> Decimal | None:
    """A metric's figure from a group's count, sum and maximum; None for a unique count (read apart)."""
    if aggregation == "count":
        return Decimal(count)
    if aggregation == "sum":
        return total or ZERO
    if aggregation == "max":
        return highest or ZERO
    return None


def usage_in(
    starts_at: datetime,
    ends_at: datetime,
    pairs: Iterable[tuple[int, int]] | None = None,
    contracts: tuple[int, int] | None = None,
) -> dict[int, dict[int, Decimal]]:
    """contract id -> metric id -> the metric's aggregate over events with timestamp in [starts_at, ends_at).

    `pairs` limits it to some (contract, metric) pairs (late usage); None means every contract.
    `contracts` limits it to contract ids from the first to the last, both included.
    """
    metrics = metric_aggregations()
    window = and_(UsageEvent.timestamp >= starts_at, UsageEvent.timestamp < ends_at)
    if contracts is not None:
        window = and_(window, UsageEvent.contract_id.between(*contracts))
    if pairs is not None:
        pairs = list(pairs)
        if not pairs:
            return {}
        window = and_(window, tuple_(UsageEvent.contract_id, UsageEvent.metric_id).in_(pairs))
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            UsageEvent.contract_id,
            UsageEvent.metric_id,
            func.count(),
            func.sum(UsageEvent.quantity),
            func.max(UsageEvent.quantity),
        )
        .where(window)
        .group_by(UsageEvent.contract_id, UsageEvent.metric_id)
    )
    for contract_id, metric_id, count, total, highest in rows:
        value = aggregated(metrics[metric_id][0], count, total, highest)
        if value is not None:
            result[contract_id][metric_id] = value
    for metric_id, (aggregation, field) in metrics.items():
        if aggregation != "unique_count" or not field:
            continue
        distinct = db.session.execute(
            select(UsageEvent.contract_id, func.count(func.distinct(distinct_value(field))))
            .where(window, UsageEvent.metric_id == metric_id)
            .group_by(UsageEvent.contract_id)
        )
        for contract_id, count in distinct:
            result[contract_id][metric_id] = Decimal(count)
    return result


def read_error(error: DBAPIError) -> str:
    """What the database said, on one line (PostgreSQL adds a DETAIL line that names the culprit)."""
    return " ".join(line.strip() for line in str(error.orig).splitlines() if line.strip())[:500]


def usage_of_contracts(
    starts_at: datetime,
    ends_at: datetime,
    contract_ids: Sequence[int],
    pairs: Iterable[tuple[int, int]] | None = None,
) -> tuple[dict[int, dict[int, Decimal]], dict[int, str]]:
    """`usage_in` for these contracts, and the error of each one whose usage cannot be read.

    One set-based read when nothing fails (the usual case); when it fails, each half of the contracts
    is read again, down to single contracts, each read in a savepoint: k bad contracts cost about
    2·k·log2(n) reads, and every other contract's usage is read."""
    ids = sorted(set(contract_ids))
    wanted = None if pairs is None else sorted(set(pairs))
    usage: dict[int, dict[int, Decimal]] = {}
    errors: dict[int, str] = {}

    def read(part: Sequence[int]) -> None:
        first, last = part[0], part[-1]
        some_pairs = None if wanted is None else [p for p in wanted if first <= p[0] <= last]
        if some_pairs == []:
            return
        try:
            with db.session.begin_nested():
                found = usage_in(starts_at, ends_at, some_pairs, contracts=(first, last))
        except DBAPIError as error:
            if error.connection_invalidated:
                raise
            if len(part) == 1:
                errors[first] = read_error(error)
                return
            half = len(part) // 2
            read(part[:half])
            read(part[half:])
            return
        usage.update({contract_id: found[contract_id] for contract_id in part if contract_id in found})

    if ids:
        read(ids)
    return usage, errors


@dataclass(frozen=True)
class BilledQuantity:
    contract_id: int
    metric_id: int
    period: Period
    quantity: Decimal
    window_start: date  # the plan window's first day: the period's own on one plan


def late_usage_candidates(before: Period, contracts: tuple[int, int] | None = None) -> list[BilledQuantity]:
    """Billed (contract, metric, month, plan window) quantities of months before `before` whose usage was
    revised after (or shortly before) they were measured; only these can owe late usage. Of the contracts
    with ids in `contracts` ([first, last]; None: every contract)."""
    query = (
        select(
            BilledUsage.contract_id,
            BilledUsage.metric_id,
            BilledUsage.period_start,
            BilledUsage.quantity,
            BilledUsage.window_start,
            BilledUsage.measured_at,
            UsageRevision.received_at,
        )
        .join(
            UsageRevision,
            and_(
                UsageRevision.contract_id == BilledUsage.contract_id,
                UsageRevision.metric_id == BilledUsage.metric_id,
                UsageRevision.period_start == BilledUsage.period_start,
            ),
        )
        .where(BilledUsage.period_start < before.start, *_within(BilledUsage.contract_id, contracts))
    )
    return [
        BilledQuantity(contract_id, metric_id, Period(period_start), quantity, window_start)
        for contract_id, metric_id, period_start, quantity, window_start, measured_at, revised_at in (
            db.session.execute(query)
        )
        if revised_at > measured_at - LATE_USAGE_MARGIN
    ]
