"""The record of every scheduled run: one row per job and due time, which is also the claim on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime, one_of
from daas.extensions import db

JOB_RUN_STATUSES = ("running", "succeeded", "failed", "skipped")


class JobRun(db.Model):
    """A job's run for one due time. The unique (job, due_at) key is what makes it run once: the scheduler
    that inserts the row runs it; `owner` and `lease_until` say which process holds it and until when."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "due_at"),
        CheckConstraint(one_of("status", JOB_RUN_STATUSES), name="status_known"),
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
