"""A billing run asked for from the finance pages waits for a scheduler: the pages say when none runs
(and when one was last seen), list the requested runs, show a request until its run starts and then the
run's progress, give the waiting request to whoever asks again, and show why a request failed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from daas.core import clock
from daas.extensions import db
from daas.scheduler.models import JobRun, SchedulerHeartbeat
from tests.billing_run_helpers import billed_contracts
from tests.scheduler.schedulers import carry_out_requests
from tests.web.helpers import post_form, signed_in

NO_SCHEDULER = (
    "No scheduler is running: the run will start once one runs "
    "(<code>flask --app wsgi daas scheduler</code>)."
)


@pytest.fixture
def finance_client(app, database, today):
    client, _ = signed_in(app, "finance")
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _ask(client, period: str = "2026-10"):
    return post_form(
        client, "/finance/billing-runs/run", {"period": period}, form_page="/finance/billing-runs"
    )


def _scheduler_seen(ago: timedelta, owner: str = "host-a:1") -> None:
    now = clock.now()
    db.session.add(SchedulerHeartbeat(owner=owner, started_at=now - ago, seen_at=now - ago))
    db.session.commit()


def _request() -> JobRun:
    db.session.expire_all()
    return db.session.scalar(select(JobRun).where(JobRun.request_key.is_not(None)))


def test_the_billing_runs_page_says_when_no_scheduler_runs(finance_client):
    assert NO_SCHEDULER in _text(finance_client.get("/finance/billing-runs"))
    _scheduler_seen(timedelta(minutes=10))  # killed 10 min ago: its row is still there
    text = _text(finance_client.get("/finance/billing-runs"))
    assert NO_SCHEDULER in text
    assert (
        'A scheduler was last seen <time datetime="2026-11-14T23:50:00+00:00">2026-11-14 23:50 UTC</time>.'
        in text
    )


def test_a_running_scheduler_silences_the_warning(finance_client):
    _scheduler_seen(timedelta(seconds=20))
    assert "No scheduler is running" not in _text(finance_client.get("/finance/billing-runs"))
    page = _text(finance_client.get(_ask(finance_client).headers["Location"]))
    assert "Waiting for a scheduler: the run has not started yet." in page
    assert "looks for requested runs every 30 s" in page and "No scheduler is running" not in page


def test_the_request_page_follows_the_request_to_its_run_and_its_progress(app, finance_client):
    billed_contracts(1)
    db.session.commit()
    location = _ask(finance_client).headers["Location"]
    request = _request()
    assert location == f"/finance/billing-runs/requests/{request.id}"
    page = _text(finance_client.get(location))
    assert "Billing run of 2026-10 requested" in page and ">queued</span>" in page
    assert NO_SCHEDULER in page and '<meta http-equiv="refresh" content="2">' in page
    assert f"{request.requested_by}" in page
    listed = _text(finance_client.get("/finance/billing-runs"))
    assert "Requested runs" in listed
    assert f'<a href="/finance/billing-runs/requests/{request.id}">2026-10</a>' in listed
    assert "not started" in listed

    # A scheduler took it and is measuring the period: no run to show yet.
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == request.id)
        .values(status="running", owner="host-a:1", started_at=clock.now(), lease_until=clock.now())
    )
    db.session.commit()
    page = _text(finance_client.get(location))
    assert "Scheduler host-a:1 is starting the run" in page and ">running</span>" in page

    db.session.execute(update(JobRun).where(JobRun.id == request.id).values(status="queued", owner=None))
    db.session.commit()
    carry_out_requests(app)
    run_id = _request().counts["billing_run"]
    followed = finance_client.get(location)
    assert followed.headers["Location"] == f"/finance/billing-runs/{run_id}"
    run_page = _text(finance_client.get(followed.headers["Location"]))
    assert f"Billing run {run_id} of 2026-10 completed: 1 contract, 1 invoice created" in run_page
    assert "1 of 1 contracts processed (100%)" in run_page
    assert "Requested runs" not in _text(finance_client.get("/finance/billing-runs"))  # none open


def test_asking_again_while_a_run_of_the_period_waits_gives_that_request(finance_client):
    first = _ask(finance_client).headers["Location"]
    finance_client.get(first)
    again = _ask(finance_client)  # a second click, an old tab
    assert again.headers["Location"] == first
    text = _text(finance_client.get(first))
    requested_by = _request().requested_by
    assert (
        f"A billing run of 2026-10 asked for by {requested_by} is queued already: this is it (asking again "
        "does not run the period twice)." in text
    )
    assert db.session.scalar(select(JobRun.id).where(JobRun.request_key == "2026-10").offset(1)) is None


def test_a_request_that_failed_before_its_run_started_says_why(finance_client):
    location = _ask(finance_client).headers["Location"]
    request = _request()
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == request.id)
        .values(
            status="failed",
            finished_at=datetime(2026, 11, 15, 0, 5, tzinfo=UTC),
            detail="OperationalError: the database went away",
        )
    )
    db.session.commit()
    page = _text(finance_client.get(location))
    assert (
        "The run could not start: OperationalError: the database went away. Run 2026-10 again" in page
        and ">failed</span>" in page
    )
    assert "refresh" not in page and "No scheduler is running" not in page


def test_only_a_billing_run_request_has_a_request_page(finance_client):
    assert finance_client.get("/finance/billing-runs/requests/999999").status_code == 404
    scheduled = JobRun(job="billing_run", due_at=clock.now(), status="succeeded", attempts=1)
    db.session.add(scheduled)
    db.session.commit()
    response = finance_client.get(f"/finance/billing-runs/requests/{scheduled.id}")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_job_runs_page_lists_requests_and_filters_them(finance_client):
    _ask(finance_client)
    text = _text(finance_client.get("/finance/job-runs?job=requested_billing_run&status=queued"))
    assert '<th scope="row">requested_billing_run</th>' in text and ">queued</span>" in text
