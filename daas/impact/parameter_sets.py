"""Stored parameter sets: the version in force for a month, and new versions that apply from a month on.

A month is computed with the version in force on its first day; once the month is closed, its ledger rows
name that version, so a later version never restates it. That is why a new version may only start on the
first day of a month after the last closed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from daas.core.errors import Conflict, Invalid
from daas.core.periods import Period
from daas.extensions import db
from daas.impact.models import ImpactParameterSet, ImpactPeriodClose
from daas.impact.parameters import METHOD, Parameters
from daas.impact.versions import add_version


@dataclass(frozen=True)
class InForce:
    id: int
    version: int
    parameters: Parameters


def list_parameter_sets() -> list[ImpactParameterSet]:
    return list(
        db.session.scalars(
            select(ImpactParameterSet)
            .where(ImpactParameterSet.method == METHOD)
            .order_by(ImpactParameterSet.version)
        )
    )


def parameter_sets_by_id() -> dict[int, InForce]:
    return {s.id: InForce(s.id, s.version, Parameters.from_json(s.values)) for s in list_parameter_sets()}


def in_force_on(day: date, sets: list[ImpactParameterSet] | None = None) -> InForce:
    """The version whose `valid_from` is the latest on or before `day`."""
    candidates = [s for s in (sets if sets is not None else list_parameter_sets()) if s.valid_from <= day]
    if not candidates:
        raise Conflict(f"No {METHOD} parameter set is in force on {day}.")
    chosen = max(candidates, key=lambda s: s.valid_from)
    return InForce(chosen.id, chosen.version, Parameters.from_json(chosen.values))


def last_closed_period() -> Period | None:
    name = db.session.scalar(select(func.max(ImpactPeriodClose.period)))
    return Period.parse(name) if name else None


def create_parameter_set(
    values: dict[str, Any], sources: dict[str, str], valid_from: date
) -> ImpactParameterSet:
    """A new version of the method's parameters, from the first day of a month that is not closed."""
    if valid_from.day != 1:
        raise Invalid("A parameter set applies from the first day of a month.", {"valid_from": ["not a 1st"]})
    closed = last_closed_period()
    if closed is not None and valid_from < closed.end:
        raise Invalid(
            f"Periods through {closed} are closed; a new version may start on {closed.end} at the earliest.",
            {"valid_from": [f"on or after {closed.end}"]},
        )
    existing = list_parameter_sets()
    if existing and valid_from <= max(s.valid_from for s in existing):
        latest = max(existing, key=lambda s: s.valid_from)
        raise Invalid(
            f"Version {latest.version} applies from {latest.valid_from}; a new one must start later.",
            {"valid_from": [f"after {latest.valid_from}"]},
        )
    missing = sorted(set(values) - set(sources))
    if missing:
        raise Invalid("Every parameter needs its source.", {"sources": [f"missing for {', '.join(missing)}"]})
    parameters = Parameters.from_json(values)
    version = (max((s.version for s in existing), default=0)) + 1
    row = ImpactParameterSet(
        method=METHOD,
        version=version,
        valid_from=valid_from,
        values=parameters.to_json(),
        sources=dict(sources),
    )
    add_version(row, version)
    return row
