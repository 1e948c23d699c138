"""Migration 0010 on a database with job runs: the scheduled runs stay, and keep one row per job and due
time; requests can be queued, one open per job and key; going back removes the requests only. And on the
session's database (SQLite or PostgreSQL) the partial unique indexes hold the conditions the models say,
which comparing the schema with the models does not check."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from daas import create_app
from daas.extensions import db
from daas.scheduler.models import JobRun
from tests.conftest import ON_POSTGRES

RUN = (
    "INSERT INTO job_runs (job, due_at, status, late, attempts{extra}) "
    "VALUES (:job, :due, :status, false, 1{values})"
)


def _add(connection, job: str, due: str, status: str, key: str | None = None) -> None:
    extra, values = (", request_key", ", :key") if key else ("", "")
    connection.execute(
        text(RUN.format(extra=extra, values=values)), {"job": job, "due": due, "status": status, "key": key}
    )


def test_scheduled_runs_stay_requests_queue_and_going_back_drops_only_the_requests(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"}, env="testing")
    with app.app_context():
        upgrade(revision="0009_stripe_event_retries")
        with db.engine.begin() as connection:
            _add(connection, "billing_run", "2026-11-01 02:00:00", "succeeded")
            _add(connection, "payment_retries", "2026-11-01 02:00:00", "failed")
        upgrade(revision="0010_job_requests")
        with db.engine.begin() as connection:
            _add(connection, "requested_billing_run", "2026-11-15 09:00:00", "queued", "2026-10")
            _add(connection, "requested_billing_run", "2026-11-15 09:00:00", "queued", "2026-09")
            _add(connection, "requested_billing_run", "2026-11-15 09:00:00", "succeeded", "2026-10")
        for job, status, key in (
            ("requested_billing_run", "running", "2026-10"),  # a second open request of 2026-10
            ("billing_run", "running", None),  # a second run of a scheduled due time
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                _add(
                    connection,
                    job,
                    "2026-11-01 02:00:00" if key is None else "2026-11-16 09:00:00",
                    status,
                    key,
                )
        with db.engine.connect() as connection:
            kept = connection.execute(text("SELECT job, status FROM job_runs ORDER BY id")).all()
            assert connection.execute(text("SELECT count(*) FROM scheduler_heartbeats")).scalar() == 0
        downgrade(revision="0009_stripe_event_retries")
        with db.engine.connect() as connection:
            after = connection.execute(text("SELECT job, status FROM job_runs ORDER BY id")).all()
        assert "scheduler_heartbeats" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert [tuple(row) for row in kept] == [
        ("billing_run", "succeeded"),
        ("payment_retries", "failed"),
        ("requested_billing_run", "queued"),
        ("requested_billing_run", "queued"),
        ("requested_billing_run", "succeeded"),
    ]
    assert [tuple(row) for row in after] == [("billing_run", "succeeded"), ("payment_retries", "failed")]


def test_the_partial_unique_indexes_hold_the_conditions_of_the_models(database):
    dialect = "postgresql" if ON_POSTGRES else "sqlite"
    built = {
        index["name"]: (
            index["column_names"],
            bool(index["unique"]),
            index["dialect_options"].get(f"{dialect}_where"),
        )
        for index in inspect(db.session.connection()).get_indexes("job_runs")
    }
    for index in JobRun.__table__.indexes:
        if not index.unique:
            continue
        columns, unique, condition = built[index.name]
        assert (columns, unique) == ([column.name for column in index.columns], True)
        assert _normal(str(condition)) == _normal(str(index.dialect_options[dialect]["where"]))


def _normal(condition: str) -> str:
    """The condition as both databases can give it back: PostgreSQL writes IN as = ANY (ARRAY[...]) with
    casts and brackets."""
    text_ = condition.lower()
    for noise in ("::text", "::character varying", "(", ")", "[", "]", " "):
        text_ = text_.replace(noise, "")
    return text_.replace("=anyarray", "in")
