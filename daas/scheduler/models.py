"""The record of every scheduled run: one row per job and due time, which is also the claim on it; the
runs people asked for (requests) in the same table; and the heartbeat of each scheduler process."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime, one_of
from daas.extensions import db

QUEUED = "queued"  # a requested run waiting for a scheduler
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
SKIPPED = "skipped"  # a due time past its grace: not run
JOB_RUN_STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED, SKIPPED)
# A request in one of these states is still to be carried out: at most one per job and key.
OPEN_REQUEST_STATUSES = (QUEUED, RUNNING)
# The conditions of the two partial unique indexes, as literal SQL: an INSERT ... ON CONFLICT names the
# index it skips by repeating its condition, which the database can only match without bound values.
SCHEDULED = text("request_key IS NULL")
OPEN_REQUEST = text(one_of("status", OPEN_REQUEST_STATUSES))


class JobRun(db.Model):
    """A job's run for one due time, or a run someone asked for (`request_key` set).

    A scheduled run: the unique (job, due_at) key among scheduled runs is what makes it run once: the
    scheduler that inserts the row runs it; `owner` and `lease_until` say which process holds it and until
    when. A requested run: queued with the moment it was asked for as its due time, who asked
    (`requested_by`) and what for (`request_key`, a billing run's period); a scheduler claims it by
    moving it to running under its lease. At most one request per job and key is open (queued or running),
    so asking twice while the first is waiting or running gives the first."""

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(one_of("status", JOB_RUN_STATUSES), name="status_known"),
        CheckConstraint("status <> 'queued' OR request_key IS NOT NULL", name="queued_only_if_requested"),
        Index(
            "uq_job_runs_job_due_at",
            "job",
            "due_at",
            unique=True,
            postgresql_where=SCHEDULED,
            sqlite_where=SCHEDULED,
        ),
        Index(
            "uq_job_runs_open_request",
            "job",
            "request_key",
            unique=True,
            postgresql_where=OPEN_REQUEST,
            sqlite_where=OPEN_REQUEST,
        ),
        Index("ix_job_runs_due_at", "due_at"),
        Index("ix_job_runs_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    late: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    detail: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_by: Mapped[str | None] = mapped_column(String(254))
    request_key: Mapped[str | None] = mapped_column(String(60))


class SchedulerHeartbeat(db.Model):
    """A scheduler process that is (or was lately) running: it renews `seen_at` every third of its lease
    and deletes its row when it stops cleanly, so the pages can say when no scheduler runs."""

    __tablename__ = "scheduler_heartbeats"

    owner: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
