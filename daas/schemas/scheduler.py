"""Job-run payloads (api.md: id, job, due_at, started_at, finished_at, status, detail; plus what an
operator needs to read a run: whether it was a catch-up, its attempts, its counts and its scheduler)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.scheduler.models import JOB_RUN_STATUSES
from daas.scheduler.registry import JOB_NAMES


class JobRunQuerySchema(Schema):
    job = fields.String(validate=validate.OneOf(JOB_NAMES), metadata={"title": "JobName"})
    status = fields.String(validate=validate.OneOf(JOB_RUN_STATUSES), metadata={"title": "JobRunStatus"})


class JobRunSchema(Schema):
    id = fields.Integer()
    job = fields.String(metadata={"enum": list(JOB_NAMES), "title": "JobName"})
    due_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True, metadata={"description": "Null for a skipped run."})
    finished_at = fields.DateTime(allow_none=True)
    status = fields.String(metadata={"enum": list(JOB_RUN_STATUSES), "title": "JobRunStatus"})
    detail = fields.String(
        allow_none=True,
        metadata={
            "description": "What happened: a summary of the counts, the error, a catch-up or a takeover."
        },
    )
    late = fields.Boolean(metadata={"description": "A catch-up: started well after its due time."})
    attempts = fields.Integer(metadata={"description": "Above 1: resumed after its scheduler stopped."})
    owner = fields.String(allow_none=True, metadata={"description": "The scheduler process (host:pid)."})
    counts = fields.Dict(
        allow_none=True, metadata={"description": "What the job did, as the job reports it."}
    )
