"""Cron expressions and due times: pure calculation, no database and no clock.

A schedule is a cron expression of five fields (minute hour day month weekday) or six with seconds first,
always in UTC. Weekday numbers mean what they mean in crontab (0 and 7 are Sunday); APScheduler 3 counts
from Monday, so numbers are translated to names before they reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

OFF = "off"
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# How far back `latest_due` looks: beyond a year a run is not a catch-up any more.
HORIZON = timedelta(days=400)
_SECOND = timedelta(seconds=1)
_TICK = timedelta(microseconds=1)


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message names the setting."""


def _weekday_number(token: str) -> int:
    lowered = token.lower()
    if lowered in WEEKDAYS:
        return WEEKDAYS.index(lowered)
    if not token.isdigit() or int(token) > 7:
        raise ValueError(f"weekday {token!r} is not 0-7 or sun-sat")
    return int(token) % 7


def crontab_weekdays(expression: str) -> str:
    """Translate a crontab weekday field (0/7 = Sunday, ranges, lists, steps) into APScheduler's names."""
    if expression in {"*", "?"}:
        return "*"
    days: set[int] = set()
    for part in expression.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step_text and (not step_text.isdigit() or step < 1):
            raise ValueError(f"step {step_text!r} is not a whole number above 0")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            low, high = span.split("-", 1)
            first, last = _weekday_number(low), _weekday_number(high)
            if high.strip() == "7":
                last = 7  # "5-7" is Friday to Sunday
            if last < first:
                raise ValueError(f"range {span!r} runs backwards")
        else:
            first = last = _weekday_number(span)
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(WEEKDAYS[day] for day in sorted(days))


def parse_schedule(expression: str, setting: str) -> CronTrigger | None:
    """A trigger in UTC for a cron expression, or None for "off". Raises ScheduleError naming `setting`."""
    text = " ".join(expression.split())
    if text.lower() == OFF:
        return None
    fields = text.split(" ")
    if len(fields) not in (5, 6):
        raise ScheduleError(
            f"{setting} must be a cron expression of 5 fields (minute hour day month weekday), 6 with "
            f"seconds first, or {OFF!r}; got {len(fields)} field(s) in {expression!r}"
        )
    if len(fields) == 5:
        fields = ["0", *fields]
    second, minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_weekdays(weekday),
            timezone=UTC,
        )
    except ValueError as exc:
        raise ScheduleError(f"{setting}: {exc} (in {expression!r})") from exc


def _first_at_or_after(trigger: CronTrigger, moment: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, moment)


def latest_due(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last due time at or before `now` (within `HORIZON`), or None.

    APScheduler only looks forward, so this searches backwards: widen a window until a due time falls in
    it, then halve it down to the second (due times are whole seconds).
    """
    now = now.astimezone(UTC)
    reach = _SECOND
    while True:
        start = now - reach
        first = _first_at_or_after(trigger, start)
        if first is not None and first <= now:
            break
        if reach >= HORIZON:
            return None
        reach = min(reach * 2, HORIZON)
    low, high = start.replace(microsecond=0), now.replace(microsecond=0) + _SECOND
    while high - low > _SECOND:
        middle = (low + (high - low) / 2).replace(microsecond=0)
        candidate = _first_at_or_after(trigger, middle)
        if candidate is not None and candidate <= now:
            low = middle
        else:
            high = middle
    return _first_at_or_after(trigger, low)


def count_due_between(trigger: CronTrigger, after: datetime, until: datetime, cap: int = 1000) -> int:
    """How many due times fall in (after, until], counting at most `cap`."""
    count = 0
    moment = _first_at_or_after(trigger, after + _TICK)
    while moment is not None and moment <= until and count < cap:
        count += 1
        moment = _first_at_or_after(trigger, moment + _TICK)
    return count


def next_due(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The first due time after `now`."""
    return _first_at_or_after(trigger, now + _TICK)


@dataclass(frozen=True)
class Decision:
    """What a scheduler does about one job at one moment.

    `action` is "wait" (nothing due that is not already recorded), "run" (claim `due` and run it),
    "resume" (take over the interrupted run of `due`) or "miss" (record `due` as skipped: too late to run).
    `superseded` is an interrupted run that is not resumed because a later due time replaces it.
    """

    action: str
    due: datetime | None = None
    late: timedelta = timedelta(0)
    coalesced: int = 0
    superseded: datetime | None = None


def decide(
    trigger: CronTrigger,
    now: datetime,
    grace: timedelta,
    last_recorded: datetime | None,
    interrupted: datetime | None = None,
) -> Decision:
    """Decide for one job given the latest due time it has a record of and an interrupted run, if any.

    The latest due time runs once; earlier due times that were never recorded (the scheduler was down)
    are coalesced into it. It runs only within `grace` of its due time, else it is recorded as missed. An
    interrupted run (its scheduler died or stopped) is resumed while it is still the latest due time and
    within grace; otherwise it is superseded.
    """
    due = latest_due(trigger, now)
    superseded = None
    if interrupted is not None:
        if due == interrupted and now - interrupted <= grace:
            return Decision("resume", interrupted, now - interrupted)
        superseded = interrupted
    if due is None or (last_recorded is not None and due <= last_recorded):
        return Decision("wait", superseded=superseded)
    coalesced = 0 if last_recorded is None else count_due_between(trigger, last_recorded, due) - 1
    late = now - due
    action = "run" if late <= grace else "miss"
    return Decision(action, due, late, max(coalesced, 0), superseded)
