"""The jobs of `config/jobs.py` with their schedules read from the settings, and the requested jobs:
what a scheduler runs."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from config.jobs import JOBS, REQUESTED_JOBS, RequestedJob, ScheduledJob
from daas.core.jobs import JobContext
from daas.scheduler.schedule import ScheduleError, parse_schedule

# Every name a job run may carry: the scheduled jobs', then the requested jobs'.
JOB_NAMES = tuple(job.name for job in (*JOBS, *REQUESTED_JOBS))


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    function: Callable[[JobContext], dict[str, Any] | None]
    schedule: str
    trigger: CronTrigger
    grace: timedelta


@dataclass(frozen=True)
class JobSetting:
    """A declared job as configured: its schedule, and why it does not run if it does not."""

    declared: ScheduledJob
    schedule: str
    grace: timedelta
    off_because: str | None


def schedule_setting(name: str) -> str:
    return f"DAAS_SCHEDULE_{name.upper()}"


def grace_setting(name: str) -> str:
    return f"DAAS_GRACE_{name.upper()}"


def resolve(target: str) -> Callable[[JobContext], Any]:
    """Import "module:function"."""
    module_name, _, function_name = target.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        raise ScheduleError(f"job target {target!r} cannot be imported: {exc}") from exc
    if not callable(function):
        raise ScheduleError(f"job target {target!r} is not a function")
    return function


def job_settings(config: Mapping[str, Any], declared: Sequence[ScheduledJob] = JOBS) -> list[JobSetting]:
    """Every declared job with its settings, valid or not (for listing)."""
    result = []
    for job in declared:
        schedule = str(config.get(schedule_setting(job.name)) or "off")
        grace_seconds = config.get(grace_setting(job.name), 0)
        try:
            grace = timedelta(seconds=int(grace_seconds))
        except (TypeError, ValueError) as exc:
            raise ScheduleError(
                f"{grace_setting(job.name)} must be whole seconds, not {grace_seconds!r}"
            ) from exc
        if grace < timedelta(0):
            raise ScheduleError(f"{grace_setting(job.name)} must not be negative")
        off_because = None
        if parse_schedule(schedule, schedule_setting(job.name)) is None:
            off_because = f"{schedule_setting(job.name)} is off"
        elif job.enabled_by and not config.get(job.enabled_by):
            off_because = f"{job.enabled_by} is not set"
        result.append(JobSetting(job, schedule, grace, off_because))
    return result


def load_jobs(config: Mapping[str, Any], declared: Sequence[ScheduledJob] = JOBS) -> list[Job]:
    """The jobs that run, with their triggers. Raises ScheduleError for a schedule that cannot be read."""
    jobs = []
    for setting in job_settings(config, declared):
        if setting.off_because:
            continue
        trigger = parse_schedule(setting.schedule, schedule_setting(setting.declared.name))
        jobs.append(
            Job(
                setting.declared.name,
                setting.declared.description,
                resolve(setting.declared.target),
                setting.schedule,
                trigger,
                setting.grace,
            )
        )
    return jobs


def load_requested(
    declared: Sequence[RequestedJob] = REQUESTED_JOBS, scheduled: Sequence[ScheduledJob] = JOBS
) -> dict[str, Callable[[Any], dict[str, Any] | None]]:
    """The requested jobs by name, each a function taking a RequestContext. Raises ScheduleError for a
    target that cannot be imported or a name a scheduled job has too (the runner tells them apart by it)."""
    taken = {job.name for job in scheduled}
    functions: dict[str, Callable[[Any], dict[str, Any] | None]] = {}
    for job in declared:
        if job.name in taken or job.name in functions:
            raise ScheduleError(f"requested job {job.name!r} has the name of another job")
        functions[job.name] = resolve(job.target)
    return functions
