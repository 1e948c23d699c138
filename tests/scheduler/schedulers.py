"""A scheduler's runner for the requested runs, for tests that drive it themselves (page tests carry the
requests they queued out at the moment they choose), and one running in a thread for tests that drive the
app from outside (a browser)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, has_app_context

from daas.extensions import db
from daas.jobs.runner import Runner
from daas.scheduler.registry import load_requested
from tests.helpers import settings_of


def scheduler_runner(app: Flask, owner: str = "scheduler-test:1") -> Runner:
    """A runner of the requested jobs of config/jobs.py (no scheduled job), with the app's settings."""
    settings = settings_of(app)
    return Runner(
        app,
        [],
        owner,
        lease=settings.scheduler.lease,
        late=settings.scheduler.late,
        settings=settings,
        requested=load_requested(),
    )


def carry_out_requests(app: Flask, owner: str = "scheduler-test:1") -> list[int]:
    """What one sweep of a scheduler does with the queued requests; the ids of those it carried out. The
    caller's session then reads what the scheduler wrote, as the next web request would (the test
    client's requests share the test's app context, and so its session)."""
    done = scheduler_runner(app, owner).run_requested()
    if has_app_context():
        db.session.expire_all()
    return done


@contextmanager
def scheduler_running(app: Flask, every: float = 0.2) -> Iterator[Runner]:
    """A scheduler as `flask daas scheduler` runs one, in a thread: its heartbeat and a sweep of the
    requests every `every` seconds; it stops (and signs off) at the end of the block."""
    runner = scheduler_runner(app, "scheduler-thread:1")
    done = threading.Event()

    def sweep() -> None:
        while not done.is_set():
            runner.record_presence()
            runner.renew_leases()
            runner.run_requested()
            done.wait(every)

    thread = threading.Thread(target=sweep, name="test-scheduler", daemon=True)
    thread.start()
    try:
        yield runner
    finally:
        runner.stop.set()
        done.set()
        thread.join(timeout=60)
        runner.sign_off()
