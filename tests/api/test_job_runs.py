"""GET /api/v1/job-runs: the scheduler's record, newest due time first, filtered by job and state."""

from __future__ import annotations

from datetime import UTC, datetime

from daas.extensions import db
from daas.scheduler.models import JobRun
from tests.helpers import assert_error, bearer


def _run(job: str, due: datetime, status: str, **values) -> JobRun:
    run = JobRun(job=job, due_at=due, status=status, attempts=1, **values)
    db.session.add(run)
    return run


def test_job_runs_list_newest_first_with_the_fields_of_the_api(client, tokens) -> None:
    _run(
        "billing_run",
        datetime(2026, 11, 1, 2, tzinfo=UTC),
        "succeeded",
        started_at=datetime(2026, 11, 1, 2, 0, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 1, 2, 0, 11, tzinfo=UTC),
        owner="web-1:4242",
        counts={"period": "2026-10", "invoices_created": 40},
        detail="period: 2026-10, invoices_created: 40",
    )
    _run(
        "payment_retries",
        datetime(2026, 11, 29, 12, tzinfo=UTC),
        "failed",
        started_at=datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 29, 12, 0, 2, tzinfo=UTC),
        detail="GatewayUnavailable: Stripe did not answer",
    )
    _run("refresh_plan", datetime(2026, 11, 28, 4, tzinfo=UTC), "skipped", late=True, detail="Missed: ...")
    db.session.commit()

    response = client.get("/api/v1/job-runs", headers=bearer(tokens["finance"]))
    assert response.status_code == 200
    body = response.get_json()
    assert [run["job"] for run in body] == ["payment_retries", "refresh_plan", "billing_run"]
    billing = body[2]
    assert {
        key: billing[key] for key in ("job", "due_at", "started_at", "finished_at", "status", "detail")
    } == {
        "job": "billing_run",
        "due_at": "2026-11-01T02:00:00+00:00",
        "started_at": "2026-11-01T02:00:01+00:00",
        "finished_at": "2026-11-01T02:00:11+00:00",
        "status": "succeeded",
        "detail": "period: 2026-10, invoices_created: 40",
    }
    assert billing["counts"] == {"period": "2026-10", "invoices_created": 40}
    assert body[1]["started_at"] is None and body[1]["late"] is True
    assert '"total": 3' in response.headers["X-Pagination"]

    failed = client.get("/api/v1/job-runs?status=failed", headers=bearer(tokens["logistics"])).get_json()
    assert [(run["job"], run["detail"]) for run in failed] == [
        ("payment_retries", "GatewayUnavailable: Stripe did not answer")
    ]
    one_job = client.get("/api/v1/job-runs?job=billing_run", headers=bearer(tokens["admin"])).get_json()
    assert [run["status"] for run in one_job] == ["succeeded"]


def test_unknown_jobs_and_states_are_refused_naming_the_field(client, tokens) -> None:
    assert_error(client.get("/api/v1/job-runs?job=payroll", headers=bearer(tokens["admin"])), 422, "job")
    assert_error(client.get("/api/v1/job-runs?status=done", headers=bearer(tokens["admin"])), 422, "status")
