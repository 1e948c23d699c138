"""The scheduler process's billing helper thread: every sweep (DAAS_SCHEDULER_SWEEP_SECONDS) it joins a
billing run that is going, whichever process started it (a scheduled job, a requested run, the CLI, the
API), and writes the chunks no other process holds, so a second scheduler shortens a run. Chunks are
claimed by row locks (daas.billing.run_chunks), so any number of schedulers may do this at once. A stop
request ends it after the chunk it is writing; a pass that fails is logged and the next sweep tries again.
Off with DAAS_SCHEDULER_JOIN_BILLING_RUNS=0."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from daas.core.jobs import JobStopped
from daas.usecases.billing import join_billing_run

log = logging.getLogger("daas.scheduler")


def join_until_stopped(app: Flask, settings: Any, stop: threading.Event) -> None:
    def checkpoint(_done: int) -> None:
        if stop.is_set():
            raise JobStopped("the scheduler is stopping")

    while not stop.is_set():
        try:
            with app.app_context():
                joined = join_billing_run(None, settings.billing_run, wait_seconds=0, on_progress=checkpoint)
            if joined is not None and joined.contracts_written:
                log.info(
                    "joined billing run %d: wrote the drafts of %d contracts",
                    joined.run_id,
                    joined.contracts_written,
                )
        except JobStopped:
            return
        except Exception:
            log.exception("could not work on a running billing run")
        stop.wait(settings.scheduler.sweep_seconds)


def start_billing_helper(app: Flask, settings: Any, stop: threading.Event) -> threading.Thread | None:
    if not settings.scheduler.join_billing_runs:
        return None
    thread = threading.Thread(
        target=join_until_stopped, args=(app, settings, stop), name="billing-helper", daemon=True
    )
    thread.start()
    return thread
