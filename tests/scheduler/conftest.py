"""A runner per simulated scheduler process, on the test database, with time driven by the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from config.jobs import JOBS, ScheduledJob
from daas.jobs.runner import Runner
from daas.scheduler.registry import load_jobs, load_requested
from daas.settings import Settings
from tests.scheduler import probe

TEST_JOBS = (
    ScheduledJob("probe", "tests.scheduler.probe:probe_job", "Counts its calls."),
    ScheduledJob("flaky", "tests.scheduler.probe:flaky_job", "Fails once."),
    ScheduledJob("stopping", "tests.scheduler.probe:stopping_job", "Meets a stop request."),
)
TEST_REQUESTED = {
    "failing_request": probe.failing_request_job,
    "probe_request": probe.probe_request_job,
}
HOURLY = {
    "DAAS_SCHEDULE_PROBE": "0 * * * *",
    "DAAS_GRACE_PROBE": 3600,
    "DAAS_SCHEDULE_FLAKY": "0 * * * *",
    "DAAS_GRACE_FLAKY": 3600,
    "DAAS_SCHEDULE_STOPPING": "0 * * * *",
    "DAAS_GRACE_STOPPING": 3600,
}


@pytest.fixture(autouse=True)
def _no_calls() -> Iterator[None]:
    probe.calls.clear()
    yield
    probe.calls.clear()


@pytest.fixture
def make_runner(app: Flask, database: Any) -> Callable[..., Runner]:
    """make_runner("scheduler-a", DAAS_GRACE_PROBE=900): a runner with the declared and the test jobs, and
    the requested jobs of config/jobs.py and the test ones."""

    def make(
        owner: str = "scheduler-a", declared: Sequence[ScheduledJob] = (*JOBS, *TEST_JOBS), **settings: Any
    ):
        config = {**app.config, **HOURLY, **settings}
        jobs = load_jobs(config, declared)
        return Runner(
            app,
            jobs,
            owner,
            lease=timedelta(seconds=60),
            late=timedelta(seconds=60),
            settings=Settings.from_config(config),
            requested={**load_requested(), **TEST_REQUESTED},
        )

    return make
