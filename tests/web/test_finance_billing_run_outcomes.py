"""The finance pages say what is true of a billing run: the current month is an estimate that cannot be
billed yet; the flash on the way from a run's request to the run says started, completed or completed
with errors; a run's page
lists the contracts it could not bill, says when it was interrupted and which run completes it, and points
a superseded run to the run that owns its drafts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from daas.billing.models import BillingRun
from daas.core import clock
from daas.extensions import db
from daas.scheduler.models import JobRun
from tests.billing_helpers import bill
from tests.billing_run_helpers import (
    billed_contracts,
    contract_that_cannot_be_rated,
    run_that_dies_after_its_first_chunk,
)
from tests.scheduler.schedulers import carry_out_requests, scheduler_runner
from tests.web.helpers import post_form, signed_in


@pytest.fixture
def finance_client(app, database, today):
    client, _ = signed_in(app, "finance")
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _start(client, period: str):
    return post_form(
        client, "/finance/billing-runs/run", {"period": period}, form_page="/finance/billing-runs"
    )


def test_the_current_month_is_previewed_as_an_estimate_and_cannot_be_billed(finance_client):
    billed_contracts(1)
    db.session.commit()
    text = _text(finance_client.get("/finance/billing-runs?period=2026-11"))
    assert "Preview of 2026-11: an estimate" in text
    assert "2026-11 has not ended: what it shows is an estimate of the month so far." in text
    assert "It can be billed from 2026-12-01." in text and "1 contract is active in 2026-11 so far." in text
    assert "Run billing for 2026-11" not in text

    response = _start(finance_client, "2026-11")  # a form posted anyway (an old tab, a crafted request)
    assert response.headers["Location"] == "/finance/billing-runs?period=2026-11"
    flashed = _text(finance_client.get(response.headers["Location"]))
    assert (
        "2026-11 has not ended yet: it can be billed from 2026-12-01. "
        "The preview of 2026-11 is an estimate until then." in flashed
    )
    assert db.session.scalar(select(func.count(BillingRun.id))) == 0
    assert db.session.scalar(select(func.count(JobRun.id))) == 0  # nor is it queued
    last_month = _text(finance_client.get("/finance/billing-runs?period=2026-10"))
    assert "Run billing for 2026-10" in last_month and "an estimate" not in last_month


def test_a_run_that_could_not_bill_a_contract_says_so_and_lists_it(app, finance_client):
    billed_contracts(1)
    bad = contract_that_cannot_be_rated()
    db.session.commit()

    requested = _start(finance_client, "2026-10")
    carry_out_requests(app)
    response = finance_client.get(requested.headers["Location"])

    run = db.session.scalar(select(BillingRun).order_by(BillingRun.id.desc()))
    assert response.headers["Location"] == f"/finance/billing-runs/{run.id}"
    text = _text(finance_client.get(response.headers["Location"]))
    assert (
        f"Billing run {run.id} of 2026-10 completed with errors: 2 contracts, 1 invoice created, 0 drafts "
        "recomputed; 1 contract could not be billed (listed below)." in text
    )
    assert "flash-warning" in text and "completed with errors" in text
    assert (
        "Contracts that could not be billed" in text
        and "1 contract was skipped; every other contract was billed." in text
    )
    assert re.search(
        rf"<th scope=\"row\">{bad.id}</th><td>It could not be rated: [^<]*an invoice holds amounts below",
        text,
    )
    assert "Finalize 1 draft" in text  # the drafts it made are sound
    assert "1 not billed" in _text(finance_client.get("/finance/billing-runs"))


def test_an_interrupted_run_says_so_and_names_the_run_that_completes_it(finance_client):
    billed_contracts(2)
    died = run_that_dies_after_its_first_chunk(at_moment=datetime(2026, 11, 15, 9, 0, tzinfo=UTC))
    db.session.commit()
    page = f"/finance/billing-runs/{died.id}"
    with clock.frozen(datetime(2026, 11, 15, 9, 30, tzinfo=UTC)):
        text = _text(finance_client.get(page))
        assert "finance-run.js" not in text and "data-progress-url" not in text  # nothing to wait for
        assert "The run was interrupted: its process stopped after 1 of 2 contracts." in text
        assert "Run 2026-10 again: finished chunks are kept" in text
        assert finance_client.get(f"{page}/progress.json").get_json()["status"] == "interrupted"
        assert ">interrupted</span>" in _text(finance_client.get("/finance/billing-runs"))
        resumed = bill()
        db.session.commit()
        text = _text(finance_client.get(page))
    assert f'<a href="/finance/billing-runs/{resumed.id}">Run {resumed.id}</a> completes it.' in text
    resumed_page = _text(finance_client.get(f"/finance/billing-runs/{resumed.id}"))
    assert (
        f'<a href="/finance/billing-runs/{died.id}">Run {died.id}</a>, which was interrupted' in resumed_page
    )


def test_a_superseded_run_points_to_the_run_that_owns_its_drafts(finance_client):
    billed_contracts(2)
    first, second = bill(), bill()
    db.session.commit()
    page = f"/finance/billing-runs/{first.id}"
    text = _text(finance_client.get(page))
    assert (
        f'A later run, <a href="/finance/billing-runs/{second.id}">run {second.id}</a>, '
        "recomputed the drafts of 2026-10 and owns them: finalize that run." in text
    )
    assert "Finalize " not in text
    refused = post_form(finance_client, f"{page}/finalize", {}, form_page=page)
    flashed = _text(finance_client.get(refused.headers["Location"]))
    assert f"Billing run {first.id} of 2026-10 was superseded: billing run {second.id} recomputed" in flashed
    assert "Finalize 2 drafts" in _text(finance_client.get(f"/finance/billing-runs/{second.id}"))


def test_a_run_still_running_when_its_request_is_looked_at_again_says_started(app, finance_client):
    billed_contracts(1)
    db.session.commit()
    requested = _start(finance_client, "2026-10")
    runner = scheduler_runner(app)
    billing = runner.requested["requested_billing_run"]
    seen: list[str] = []

    def look_while_it_runs(context):
        def report(counts):  # the request's page looks while the run is measuring the period
            context.report(counts)
            response = finance_client.get(requested.headers["Location"])
            seen.append(_text(finance_client.get(response.headers["Location"])))

        return billing(replace(context, report=report))

    runner.requested["requested_billing_run"] = look_while_it_runs
    runner.run_requested()
    run = db.session.scalar(select(BillingRun).order_by(BillingRun.id.desc()))
    [page] = seen
    assert f"Billing run {run.id} of 2026-10 started." in page and "finance-run.js" in page
    assert run.status == "completed"
