"""The scheduler process: APScheduler's BlockingScheduler firing each job at its due times, a sweep that
catches up what was missed, a thread that carries out the runs people asked for (requests) every sweep, a
thread that joins running billing runs (`billing_helper`), a heartbeat that keeps the leases of running
jobs and records that this process runs, and a clean stop on SIGTERM.

Never started by `create_app`: each gunicorn worker would run its own copy. Any number of these processes
may run against one database; the claim in `job_runs` (see `runner.py`) makes each due time run once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from daas.jobs.billing_helper import start_billing_helper
from daas.jobs.notifications import start_delivery
from daas.jobs.runner import Runner
from daas.scheduler.registry import Job, load_requested
from daas.scheduler.schedule import next_due
from daas.scheduler.texts import moment

log = logging.getLogger("daas.scheduler")


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _heartbeat(runner: Runner, every: float, done: threading.Event) -> None:
    while not done.wait(every):
        try:
            runner.renew_leases()
        except Exception:  # the database may be away for a moment; the next beat tries again
            log.exception("could not renew the leases of running jobs")
        _record_presence(runner)


def _record_presence(runner: Runner) -> None:
    try:
        runner.record_presence()
    except Exception:  # as for the leases: the next beat tries again
        log.exception("could not record that this scheduler runs")


def _carry_out_requests(runner: Runner, every: float, stop: threading.Event) -> None:
    """Every sweep, carry out what was asked for since (at once at start-up)."""
    while not stop.is_set():
        try:
            runner.run_requested()
        except Exception:  # the database may be away for a moment; the next sweep tries again
            log.exception("could not carry out the requested runs")
        stop.wait(every)


def serve(
    app: Flask,
    jobs: Sequence[Job],
    settings: Any,
    requested: Mapping[str, Callable[[Any], Any]] | None = None,
) -> int:
    """Run until SIGTERM or SIGINT; returns the exit status. `settings`: the app's daas.settings.Settings,
    whose `scheduler` part times this process and which every job receives in its JobContext.
    `requested`: the requested jobs by name (by default those of config/jobs.py)."""
    timing = settings.scheduler
    stop = threading.Event()
    runner = Runner(
        app,
        jobs,
        owner_name(),
        lease=timing.lease,
        late=timing.late,
        settings=settings,
        stop=stop,
        requested=load_requested() if requested is None else requested,
    )
    scheduler = BlockingScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(len(jobs) + 2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for job in jobs:
        scheduler.add_job(runner.run_due, job.trigger, args=[job.name], id=job.name, name=job.name)

    def sweep() -> None:
        """Fire every idle job now: it runs only what is due and not recorded (missed or interrupted)."""
        now = datetime.now(UTC)
        for job in jobs:
            if job.name not in runner.active() and not stop.is_set():
                scheduler.modify_job(job.name, next_run_time=now)

    scheduler.add_job(
        sweep,
        "interval",
        seconds=timing.sweep_seconds,
        id="sweep",
        next_run_time=datetime.now(UTC),
    )

    def request_stop(signum: int, _frame: Any) -> None:
        if stop.is_set():
            log.warning(
                "second %s: leaving the running jobs to the next scheduler", signal.Signals(signum).name
            )
            _abandon_and_exit(runner, "the scheduler was stopped twice")
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def stopper() -> None:
        stop.wait()
        log.info("stopping: no new runs; asking running jobs to stop at their next safe point")
        scheduler.shutdown(wait=False)

    beat_done = threading.Event()
    lease_seconds = timing.lease.total_seconds()
    _record_presence(runner)  # the pages know at once that requests will be taken
    threading.Thread(target=stopper, name="scheduler-stopper", daemon=True).start()
    threading.Thread(
        target=_heartbeat,
        args=(runner, max(lease_seconds / 3, 0.5), beat_done),
        name="heartbeat",
        daemon=True,
    ).start()
    threading.Thread(
        target=_carry_out_requests,
        args=(runner, timing.sweep_seconds, stop),
        name="requests",
        daemon=True,
    ).start()

    delivery = start_delivery(app, settings, runner.owner, stop)
    helper = start_billing_helper(app, settings, stop)

    now = datetime.now(UTC)
    log.info("scheduler %s started with %d job(s)", runner.owner, len(jobs))
    for job in jobs:
        upcoming = next_due(job.trigger, now)
        log.info(
            "  %-20s %-16s next due %s", job.name, job.schedule, moment(upcoming) if upcoming else "never"
        )
    for name in runner.requested:
        log.info("  %-20s %-16s every %d s", name, "when requested", timing.sweep_seconds)
    log.info(
        "  %-20s %-16s every %g s", "notifications", "e-mails, webhooks", settings.notifications.sweep_seconds
    )
    if helper is not None:
        log.info("  %-20s %-16s every %d s", "billing helper", "running runs", timing.sweep_seconds)
    scheduler.start()  # returns once the stopper has shut it down

    stop_seconds = timing.stop_seconds
    if not runner.wait_idle(stop_seconds):
        _abandon_and_exit(runner, f"its job did not stop within {stop_seconds} s of the stop request")
    beat_done.set()
    delivery.join(stop_seconds)  # a send in progress finishes (its timeouts are short) and is recorded
    if helper is not None:
        helper.join(stop_seconds)  # the chunk it is writing is committed, or rolled back when it dies
    _sign_off(runner)
    log.info("scheduler %s stopped", runner.owner)
    return 0


def _sign_off(runner: Runner) -> None:
    try:
        runner.sign_off()
    except Exception:  # its heartbeat row then ages out: the pages say no scheduler runs a little later
        log.exception("could not record that this scheduler stopped")


def _abandon_and_exit(runner: Runner, reason: str) -> None:
    """Give the running jobs' leases up and leave at once: their uncommitted work rolls back with the
    connection, what they committed stays, and the next scheduler resumes them."""
    try:
        released = runner.release(f"{reason}; the next scheduler resumes it within its grace.")
        log.warning("left %d running job(s) to the next scheduler: %s", released, reason)
        _sign_off(runner)
    finally:
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)
