"""The rules of a contract's plan history (billing.md "Contract changes"). Pure: plain values in, answers
out, so the service, the billing run and the tests share one reading of them.

A history is a list of `PlanSpan`s in date order, contiguous and half-open: each [starts_on, ends_on), the
last one open (ends_on None). A change from day F keeps what was in force before F, cuts the span in force
on F at F, drops every span that started after F (a change scheduled later is superseded by this one) and
opens a new span [F, open).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from daas.core.dates import add_months

P = TypeVar("P")  # what a span says of its plan: an id, a code, the plan itself

ZERO = Decimal(0)
# A device charge without a model applies to every model; this key stands for "a model no charge names".
ANY_MODEL = None


@dataclass(frozen=True)
class PlanSpan(Generic[P]):
    """One plan of a contract's history: in force over [starts_on, ends_on), ends_on None on the last."""

    plan: P
    starts_on: date
    ends_on: date | None = None
    minimum: Decimal | None = None  # the change's own minimum; None: the contract's, else the plan's

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


@dataclass(frozen=True)
class PlanWindow(Generic[P]):
    """A span's days within a period: [start, end), the first window starting on the period's first day and
    the last ending on its last, so every day (and every event) of the period falls in exactly one."""

    span: PlanSpan[P]
    start: date
    end: date


def in_force(history: Sequence[PlanSpan[P]], day: date) -> PlanSpan[P]:
    """The span in force on `day`: before the first span the first, after the last the last."""
    if not history:
        raise ValueError("a contract's history has at least one plan")
    for span in history:
        if span.covers(day):
            return span
    return history[0] if day < history[0].starts_on else history[-1]


def windows(history: Sequence[PlanSpan[P]], start: date, end: date) -> list[PlanWindow[P]]:
    """The period [start, end) split at the days a plan took effect: one window per span that touches the
    period (a period before or after the history takes the first or the last span whole)."""
    touching = [
        span for span in history if span.starts_on < end and (span.ends_on is None or span.ends_on > start)
    ] or [in_force(history, start)]
    result = []
    for index, span in enumerate(touching):
        window_start = start if index == 0 else span.starts_on
        window_end = end if index == len(touching) - 1 else touching[index + 1].starts_on
        result.append(PlanWindow(span, window_start, window_end))
    return result


def changed(
    history: Sequence[PlanSpan[P]], plan: P, from_date: date, minimum: Decimal | None
) -> list[PlanSpan[P]]:
    """The history after a change to `plan` from `from_date`: the spans before it kept, the one in force
    on it cut there (or dropped when it starts that day), later ones dropped (superseded), and a new open
    span from `from_date`."""
    kept = [
        span
        if span.ends_on is not None and span.ends_on <= from_date
        else PlanSpan(span.plan, span.starts_on, from_date, span.minimum)
        for span in history
        if span.starts_on < from_date
    ]
    return [*kept, PlanSpan(plan, from_date, None, minimum)]


def until(history: Sequence[PlanSpan[P]], end: date) -> list[PlanSpan[P]]:
    """The history of a contract that now ends on `end`: spans that would start on or after it are dropped
    (a change scheduled past the new end never takes effect) and the last one left stays open. The first
    span is always kept."""
    kept = [span for index, span in enumerate(history) if index == 0 or span.starts_on < end]
    last = kept[-1]
    return [*kept[:-1], PlanSpan(last.plan, last.starts_on, None, last.minimum)]


# -- upgrades --------------------------------------------------------------------------------------------


def monthly_amounts(device_charges: Iterable[tuple[int | None, Decimal]]) -> dict[int | None, Decimal]:
    """What one device costs a month under a plan, per device model the plan names and for any other model
    (key ANY_MODEL), from its device charges `(device_model_id or None, unit_amount)`: a device is billed
    by every charge for its model and every charge without a model (that is how rating bills it)."""
    charges = list(device_charges)
    for_any = sum((amount for model, amount in charges if model is ANY_MODEL), ZERO)
    amounts: dict[int | None, Decimal] = {ANY_MODEL: for_any}
    for model, amount in charges:
        if model is not ANY_MODEL:
            amounts[model] = amounts.get(model, for_any) + amount
    return amounts


def is_upgrade(
    current_charges: Iterable[tuple[int | None, Decimal]],
    current_minimum: Decimal | None,
    new_charges: Iterable[tuple[int | None, Decimal]],
    new_minimum: Decimal | None,
) -> bool:
    """Whether moving to the new plan is an upgrade: every device costs at least as much a month and the
    minimum is at least as high.

    The comparison: for every device model either plan names, and for any model neither names, what one
    device of it costs a month under the new plan (`monthly_amounts`: the charges for its model plus the
    charges for every model) is >= what it costs under the current plan; a model a plan does not bill
    costs 0 under it. The minimums are those that would apply (the change's or the contract's own, else
    the plan's), no minimum counting as 0, and the new one is >= the current one. Metered charges are
    not compared: usage is not known in advance."""
    current, new = monthly_amounts(current_charges), monthly_amounts(new_charges)
    models = set(current) | set(new)
    cheaper = any(new.get(m, new[ANY_MODEL]) < current.get(m, current[ANY_MODEL]) for m in models)
    return not cheaper and (new_minimum or ZERO) >= (current_minimum or ZERO)


def default_start(upgrade: bool, today: date) -> date:
    """When a change without `from` takes effect: an upgrade today, anything else on the 1st of the next
    month (the customer keeps the better terms until the month is over)."""
    return today if upgrade else add_months(today.replace(day=1), 1)
