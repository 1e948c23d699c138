"""The impact ledger: closing a month appends its rows; reading returns the closed rows and computes the
open months with the same functions, so a statement's totals do not change when a month closes.

Months close in order, and every month up to the last closed one counts as closed: its figures are its
ledger rows. Each device's history is attributed from its first day, so a fact entered late (a deployment
ended in the past, a grade dated last month) changes what the closed months should have held; that
difference is not written back into them but carried, as a correction, into the first open month, which
is what that month's rows hold when it closes. Ledger rows are never updated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from daas.contracts.models import Deployment
from daas.core.errors import Conflict
from daas.core.periods import Period
from daas.db import upsert
from daas.devices.models import CustodyEvent
from daas.extensions import db
from daas.impact.attribution import ADDITIVE, DeviceState, Row, add_row, attribute_period, grams, is_zero
from daas.impact.history import END_OF_LIFE, DeviceHistory, device_histories, fingerprint
from daas.impact.models import ImpactDeviceState, ImpactLedgerRow, ImpactPeriodClose
from daas.impact.parameter_sets import InForce, in_force_on, list_parameter_sets
from daas.impact.parameters import Parameters
from daas.logistics.models import DeviceUpgrade

Key = tuple[int, int | None]  # (device, contract); contract None is the provider's own account


@dataclass(frozen=True)
class Month:
    period: Period
    end: date  # exclusive: the 1st of the next month, or tomorrow for the running month
    parameters: InForce
    closed: bool


@dataclass
class Line:
    """A ledger row of one device in one month: stored (closed) or computed (provisional)."""

    period: str
    device_id: int
    row: Row
    parameter_set_id: int
    provisional: bool

    @property
    def contract_id(self) -> int | None:
        return self.row.contract_id


@dataclass
class CloseReport:
    period: str
    already_closed: bool = False
    rows: int = 0
    devices: int = 0


def closed_periods() -> dict[str, int]:
    """Closed month → the parameter set its rows used."""
    return dict(
        db.session.execute(select(ImpactPeriodClose.period, ImpactPeriodClose.parameter_set_id)).all()
    )


def first_activity_day() -> date | None:
    """The earliest day anything attribution reads happened: a deployment or a lifecycle event."""
    days = (
        db.session.scalar(select(func.min(Deployment.start_date))),
        db.session.scalar(
            select(func.min(CustodyEvent.occurred_on)).where(
                CustodyEvent.action.in_(("refurbish", *END_OF_LIFE))
            )
        ),
        db.session.scalar(select(func.min(DeviceUpgrade.performed_on))),
    )
    known = [day for day in days if day is not None]
    return min(known) if known else None


def plan_months(first: Period, through: date, closes: dict[str, int]) -> list[Month]:
    """The months from `first` up to the day before `through`; a closed month keeps its parameter set."""
    sets = list_parameter_sets()
    by_id = {s.id: s for s in sets}
    last_closed = max(closes, default="")
    months, period = [], first
    while period.start < through:
        if period.name in closes:
            used = by_id[closes[period.name]]
            parameters = InForce(used.id, used.version, Parameters.from_json(used.values))
        else:
            parameters = in_force_on(period.start, sets)
        months.append(Month(period, min(period.end, through), parameters, period.name <= last_closed))
        period = period.next()
    return months


def ledger_sums(device_ids: Iterable[int] | None = None) -> dict[Key, Row]:
    """What the ledger holds per device and contract, over every closed month."""
    query = select(
        ImpactLedgerRow.device_id,
        ImpactLedgerRow.contract_id,
        func.max(ImpactLedgerRow.life),
        func.sum(ImpactLedgerRow.use_phase_co2e_kg),
        *(func.sum(getattr(ImpactLedgerRow, name)) for name in ADDITIVE),
    ).group_by(ImpactLedgerRow.device_id, ImpactLedgerRow.contract_id)
    if device_ids is not None:
        query = query.where(ImpactLedgerRow.device_id.in_(list(device_ids)))
    sums: dict[Key, Row] = {}
    for device_id, contract_id, life, use_co2e, *values in db.session.execute(query):
        row = Row(contract_id, life=life, use_phase_co2e_kg=use_co2e)
        for name, value in zip(ADDITIVE, values, strict=True):
            setattr(row, name, value)
        sums[(device_id, contract_id)] = row
    return sums


def _first_day(history: DeviceHistory) -> date | None:
    days = [service.start for service in history.services] + [event.on for event in history.events]
    return min(days, default=None)


@dataclass(frozen=True)
class Snapshot:
    period: str
    fingerprint: str
    state: dict[str, Any]


def stored_snapshots(device_ids: Iterable[int] | None = None) -> dict[int, Snapshot]:
    query = select(ImpactDeviceState)
    if device_ids is not None:
        query = query.where(ImpactDeviceState.device_id.in_(list(device_ids)))
    return {s.device_id: Snapshot(s.period, s.fingerprint, s.state) for s in db.session.scalars(query)}


def open_lines(
    histories: dict[int, DeviceHistory],
    months: list[Month],
    sums: dict[Key, Row],
    snapshots: dict[int, Snapshot] | None = None,
    states_after: tuple[str, dict[int, Snapshot]] | None = None,
) -> Iterator[Line]:
    """The rows of every open month in `months`, device by device, with corrections in the first open one.

    A device whose stored snapshot still matches its history starts from it at the first open month;
    any other is computed from its first day. With `states_after` (a month, a dict), each device's state
    after that month is put in the dict, to be stored when that month closes.
    """
    closed = [month for month in months if month.closed]
    first_open = len(closed)
    for device_id, history in histories.items():
        first_day = _first_day(history)
        if first_day is None:
            continue
        state: DeviceState | None = None
        start = 0
        snapshot = (snapshots or {}).get(device_id)
        if (
            closed
            and snapshot is not None
            and snapshot.period == closed[-1].period.name
            and snapshot.fingerprint == fingerprint(history, closed[-1].end)
        ):
            state, start = DeviceState.from_json(snapshot.state), first_open
        closed_should_hold: dict[int | None, Row] = {}
        correction_due = start == 0
        for month in months[start:]:
            if state is None and month.end > first_day:
                state = DeviceState.new(history.facts, month.parameters.parameters)
            rows: list[Row] = []
            if state is not None:
                rows, state = attribute_period(
                    history.facts,
                    state,
                    history.services,
                    history.events,
                    month.period.start,
                    month.end,
                    month.parameters.parameters,
                )
            if month.closed:
                for row in rows:
                    add_row(closed_should_hold.setdefault(row.contract_id, Row(row.contract_id)), row)
                continue
            by_contract = {row.contract_id: row for row in rows}
            if correction_due:
                correction_due = False
                _carry_corrections(device_id, by_contract, closed_should_hold, sums)
            for row in by_contract.values():
                if state is not None:
                    row.balance_co2e_kg, row.balance_mass_kg = (
                        grams(state.balance_co2),
                        grams(state.balance_mass),
                    )
                if not is_zero(row):
                    yield Line(month.period.name, device_id, row, month.parameters.id, provisional=True)
            if states_after is not None and month.period.name == states_after[0] and state is not None:
                states_after[1][device_id] = Snapshot(
                    month.period.name, fingerprint(history, month.end), state.to_json()
                )
            if state is not None and state.ended and states_after is None:
                break


def _carry_corrections(
    device_id: int, into: dict[int | None, Row], should_hold: dict[int | None, Row], sums: dict[Key, Row]
) -> None:
    """Add (what the closed months should hold − what the ledger holds) to the first open month's rows."""
    contracts = set(should_hold) | {contract for (device, contract) in sums if device == device_id}
    for contract_id in sorted(contracts, key=lambda c: -1 if c is None else c):
        difference = Row(contract_id)
        add_row(difference, should_hold.get(contract_id, Row(contract_id)))
        stored = sums.get((device_id, contract_id))
        if stored is not None:
            add_row(difference, stored, sign=-1)
        if not is_zero(difference):
            add_row(into.setdefault(contract_id, Row(contract_id)), difference)


def closed_lines(
    first: Period | None,
    last: Period,
    contract_id: int | None = None,
    group_by: tuple[str, ...] = ("period", "device_id", "contract_id"),
    subscriptions_only: bool = False,
) -> list[Line]:
    """The closed months' ledger rows of `first`..`last`, added up in the database by `group_by` (by
    default: row by row). A line's period is "" and its device 0 when they are not among the groups."""
    groups = [getattr(ImpactLedgerRow, name) for name in group_by]
    query = (
        select(
            *groups,
            func.max(ImpactLedgerRow.life).label("life"),
            func.max(ImpactLedgerRow.parameter_set_id).label("parameter_set_id"),
            func.sum(ImpactLedgerRow.use_phase_co2e_kg).label("use_phase_co2e_kg"),
            *(func.sum(getattr(ImpactLedgerRow, name)).label(name) for name in ADDITIVE),
            # Balances after the month: meaningful row by row only.
            func.max(ImpactLedgerRow.balance_co2e_kg).label("balance_co2e_kg"),
            func.max(ImpactLedgerRow.balance_mass_kg).label("balance_mass_kg"),
        )
        .where(ImpactLedgerRow.period <= last.name)
        .group_by(*groups)
        .order_by(*groups)
    )
    if first is not None:
        query = query.where(ImpactLedgerRow.period >= first.name)
    if contract_id is not None:
        query = query.where(ImpactLedgerRow.contract_id == contract_id)
    if subscriptions_only:
        query = query.where(ImpactLedgerRow.contract_id.is_not(None))
    lines = []
    for record in db.session.execute(query).mappings():
        row = Row(
            record.get("contract_id"), life=record["life"], use_phase_co2e_kg=record["use_phase_co2e_kg"]
        )
        for name in (*ADDITIVE, "balance_co2e_kg", "balance_mass_kg"):
            setattr(row, name, record[name])
        lines.append(
            Line(record.get("period", ""), record.get("device_id", 0), row, record["parameter_set_id"], False)
        )
    return lines


def provisional_lines(
    first: Period | None, last: Period, today: date, contract_id: int | None = None
) -> Iterator[Line]:
    """The open months of `first`..`last`, computed through today (with the corrections they carry),
    one line at a time: a fleet's open months need not be held in memory at once."""
    through = min(last.end, today + timedelta(days=1))
    closes = closed_periods()
    last_closed = max(closes, default="")
    if through <= (Period.parse(last_closed).end if last_closed else date.min):
        return  # the window holds closed months only
    device_ids = None
    if contract_id is not None:
        device_ids = db.session.scalars(
            select(Deployment.device_id).where(Deployment.contract_id == contract_id).distinct()
        ).all()
        if not device_ids:
            return
    histories = device_histories(device_ids)
    start_days = [day for day in map(_first_day, histories.values()) if day is not None]
    if not start_days:
        return
    months = plan_months(Period.containing(min(start_days)), through, closes)
    for line in open_lines(histories, months, ledger_sums(device_ids), stored_snapshots(device_ids)):
        in_window = (first is None or line.period >= first.name) and line.period <= last.name
        if in_window and (contract_id is None or line.contract_id == contract_id):
            yield line


def read_lines(first: Period | None, last: Period, today: date, contract_id: int | None = None) -> list[Line]:
    """The ledger lines of the months `first`..`last` (all months when `first` is None): closed rows as
    stored, open months computed through today. With `contract_id`, only that contract's lines."""
    return closed_lines(first, last, contract_id) + list(provisional_lines(first, last, today, contract_id))


def close_period(period: Period, today: date) -> CloseReport:
    """Append the ledger rows of `period`, the month after the last closed one. Closing a closed month
    appends nothing; the caller commits."""
    if period.end > today:
        raise Conflict(f"{period} has not ended yet: it can be closed from {period.end} on.")
    closes = closed_periods()
    last_closed = max(closes, default=None)
    if last_closed is not None and period.name <= last_closed:
        return CloseReport(period.name, already_closed=True)
    expected = (periods_to_close(period) or [period])[0]
    if period != expected:
        raise Conflict(f"Months close in order: close {expected} first.")

    histories = device_histories()
    start_days = [day for day in map(_first_day, histories.values()) if day is not None]
    first = Period.containing(min(start_days)) if start_days else period
    months = plan_months(min(first, period), period.end, closes)
    states: dict[int, Snapshot] = {}
    lines = [
        line
        for line in open_lines(histories, months, ledger_sums(), stored_snapshots(), (period.name, states))
        if line.period == period.name
    ]
    parameters = months[-1].parameters

    try:
        with db.session.begin_nested():
            db.session.add(ImpactPeriodClose(period=period.name, parameter_set_id=parameters.id))
    except IntegrityError:
        return CloseReport(period.name, already_closed=True)  # closed at the same moment by someone else
    if lines:
        db.session.execute(insert(ImpactLedgerRow.__table__), [_stored_values(line) for line in lines])
    if states:
        db.session.execute(
            upsert(ImpactDeviceState.__table__, ["device_id"], ["period", "fingerprint", "state"]),
            [
                {
                    "device_id": device_id,
                    "period": snap.period,
                    "fingerprint": snap.fingerprint,
                    "state": snap.state,
                }
                for device_id, snap in states.items()
            ],
        )
    return CloseReport(period.name, rows=len(lines), devices=len({line.device_id for line in lines}))


def _stored_values(line: Line) -> dict[str, object]:
    row = line.row
    values = {name: getattr(row, name) for name in (*ADDITIVE, "balance_co2e_kg", "balance_mass_kg")}
    return {
        **values,
        "period": line.period,
        "device_id": line.device_id,
        "contract_id": row.contract_id,
        "parameter_set_id": line.parameter_set_id,
        "life": row.life,
        "use_phase_co2e_kg": row.use_phase_co2e_kg,
    }


def periods_to_close(through: Period) -> list[Period]:
    """The months from the first one not closed (or the first with any activity) through `through`."""
    closes = closed_periods()
    if closes:
        period = Period.parse(max(closes)).next()
    else:
        first_day = first_activity_day()
        period = Period.containing(first_day) if first_day else through
    out = []
    while period <= through:
        out.append(period)
        period = period.next()
    return out


def close_periods_through(
    through: Period, today: date, on_closed: Callable[[CloseReport], None] | None = None
) -> list[CloseReport]:
    """Close every month not yet closed through `through`, in order. `on_closed` is called after each
    month's rows are written: the use case that closes the ledger (daas.usecases.impact) commits there, so
    an interrupted run keeps the months it closed and running it again continues where it stopped. Without
    it, every month stands or falls with the caller's transaction."""
    reports = []
    for period in periods_to_close(through):
        report = close_period(period, today)
        reports.append(report)
        if on_closed is not None:
            on_closed(report)
    return reports
