"""Two transactions recording batches that share a fact at the same moment (PostgreSQL, real threads and
commits): the unique key lets one of them have it, the other records the rest of its batch, and each fact
is in the outbox once."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import select

from daas.extensions import db
from daas.outbox.batch import NewEvent, record_events
from daas.outbox.models import OutboxEvent

pytestmark = pytest.mark.postgres

TIMEOUT = 30.0


def _batch(*run_ids: int) -> list[NewEvent]:
    return [
        NewEvent(
            f"job_run:{run_id}",
            None,
            {"job": "probe", "run_id": run_id, "due_at": "2026-11-29T10:00:00Z", "error": "boom"},
        )
        for run_id in run_ids
    ]


def test_a_fact_recorded_by_two_batches_at_once_is_recorded_once(committed: Flask) -> None:
    inserted, go = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        with committed.app_context():
            try:
                outcomes["first"] = record_events("job.failed", _batch(1, 2))
                inserted.set()
                go.wait(TIMEOUT)  # holds its rows uncommitted while the second batch tries
                db.session.commit()
            except Exception as error:  # reported by the assertions
                outcomes["first"] = error
                inserted.set()
            finally:
                db.session.remove()

    def second() -> None:
        with committed.app_context():
            try:
                outcomes["second"] = record_events("job.failed", _batch(2, 3))
                db.session.commit()
            except Exception as error:  # reported by the assertions
                outcomes["second"] = error
            finally:
                db.session.remove()

    one = threading.Thread(target=first, daemon=True)
    one.start()
    assert inserted.wait(TIMEOUT)
    two = threading.Thread(target=second, daemon=True)
    two.start()
    time.sleep(0.5)  # the second waits on the first's uncommitted job_run:2
    go.set()
    for thread in (one, two):
        thread.join(TIMEOUT)
    assert outcomes == {"first": 2, "second": 1}
    with committed.app_context():
        recorded = db.session.scalars(
            select(OutboxEvent.key).where(OutboxEvent.type == "job.failed").order_by(OutboxEvent.key)
        ).all()
        db.session.remove()
    assert recorded == ["job_run:1", "job_run:2", "job_run:3"]
