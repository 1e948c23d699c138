"""The scheduler process's delivery thread: every sweep (DAAS_NOTIFICATION_SWEEP_SECONDS) it fans out new
events and sends what is due until nothing is, then waits for the next sweep. Any number of schedulers may
run it at once: claims keep each message in one sender's hands (daas.notifications.delivery)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from daas.usecases.notifications import deliver_notifications

log = logging.getLogger("daas.notifications")


def deliver_until_stopped(app: Flask, settings: Any, owner: str, stop: threading.Event) -> None:
    """Run delivery passes until `stop` is set. A pass that fails (the database is away for a moment) is
    logged; the next sweep tries again."""
    every = settings.notifications.sweep_seconds
    while not stop.is_set():
        try:
            with app.app_context():
                report = deliver_notifications(owner, settings.notifications, stop)
            if report.worked:
                log.info("delivered: %s", ", ".join(f"{k} {v}" for k, v in report.as_counts().items() if v))
        except Exception:
            log.exception("could not deliver notifications")
        stop.wait(every)


def start_delivery(app: Flask, settings: Any, owner: str, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=deliver_until_stopped, args=(app, settings, owner, stop), name="notifications", daemon=True
    )
    thread.start()
    return thread
