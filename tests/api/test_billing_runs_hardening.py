"""/api/v1/billing-runs as finance relies on it: a month is billed once it has ended (422 on `period`
before); a contract that cannot be billed is listed on the run (`completed_with_errors`, with
`failed_contracts`) while the others are billed; finalizing a run a later run superseded is a 409 naming
the run that owns the drafts; a run whose process died shows as `interrupted`, and the next run of the
period says it completes it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from daas.billing.models import BillingRun, Invoice
from daas.core import clock
from daas.extensions import db
from tests.billing_run_helpers import (
    billed_contracts,
    contract_that_cannot_be_rated,
    run_that_dies_after_its_first_chunk,
)
from tests.helpers import assert_error, bearer

RUNS = "/api/v1/billing-runs"


def _runs() -> int:
    return db.session.scalar(select(func.count(BillingRun.id))) or 0


def test_a_month_that_has_not_ended_cannot_be_billed(client, tokens, today):
    billed_contracts(1)
    finance = bearer(tokens["finance"])
    # The current month (today is 2026-11-15), and a later one.
    for period, billable_from in (("2026-11", "2026-12-01"), ("2027-01", "2027-02-01")):
        body = assert_error(client.post(RUNS, json={"period": period}, headers=finance), 422, "period")
        assert body["errors"]["period"] == [
            f"{period} has not ended yet: it can be billed from {billable_from}."
        ]
    assert _runs() == 0
    assert db.session.scalar(select(func.count(Invoice.id))) == 0
    with clock.frozen(date(2026, 12, 1)):  # the 1st: November has ended
        assert client.post(RUNS, json={"period": "2026-11"}, headers=finance).status_code == 201


def test_a_contract_that_cannot_be_billed_is_listed_and_the_others_are_billed(client, tokens, today):
    good = billed_contracts(2)
    bad = contract_that_cannot_be_rated()
    finance = bearer(tokens["finance"])

    created = client.post(RUNS, json={"period": "2026-10"}, headers=finance)

    assert created.status_code == 201, created.get_json()
    run = created.get_json()
    assert (run["status"], run["contracts"], run["processed"], run["invoices_created"]) == (
        "completed_with_errors",
        3,
        3,
        2,
    )
    [failure] = run["failed_contracts"]
    assert failure["contract_id"] == bad.id
    assert failure["error"].startswith("It could not be rated: ")
    assert "an invoice holds amounts below 10000000000000000.00 EUR" in failure["error"]
    assert client.get(f"{RUNS}/{run['id']}", headers=finance).get_json()["failed_contracts"] == [failure]
    [listed] = client.get(RUNS, headers=finance).get_json()
    assert (listed["status"], listed["failed_contracts"]) == ("completed_with_errors", [failure])
    invoices = client.get("/api/v1/invoices?period=2026-10", headers=finance).get_json()
    assert sorted((i["contract_id"], i["total"]) for i in invoices) == [(c.id, "47.19") for c in good]

    # Its drafts are sound: finance finalizes them; the skipped contract waits for its data to be fixed.
    finalized = client.post(f"{RUNS}/{run['id']}/finalize", headers=finance)
    assert finalized.status_code == 200, finalized.get_json()
    assert finalized.get_json()["invoices_finalized"] == 2


def test_finalizing_a_run_whose_drafts_a_later_run_recomputed_names_that_run(client, tokens, today):
    billed_contracts(2)
    finance = bearer(tokens["finance"])
    first = client.post(RUNS, json={"period": "2026-10"}, headers=finance).get_json()
    second = client.post(RUNS, json={"period": "2026-10"}, headers=finance).get_json()
    assert (second["invoices_created"], second["invoices_updated"]) == (0, 2)

    body = assert_error(client.post(f"{RUNS}/{first['id']}/finalize", headers=finance), 409, "id")
    assert body["message"] == (
        f"Billing run {first['id']} of 2026-10 was superseded: billing run {second['id']} recomputed the "
        f"period's drafts and owns them. Finalize billing run {second['id']} instead."
    )
    assert body["errors"]["id"] == [f"Superseded by billing run {second['id']}."]
    assert db.session.scalar(select(func.count(Invoice.id)).where(Invoice.status == "draft")) == 2

    done = client.post(f"{RUNS}/{second['id']}/finalize", headers=finance)
    assert (done.status_code, done.get_json()["invoices_finalized"]) == (200, 2)
    # Once the later run finalized them, the earlier one still owns nothing: still a 409 naming it.
    again = assert_error(client.post(f"{RUNS}/{first['id']}/finalize", headers=finance), 409, "id")
    assert f"billing run {second['id']} recomputed" in again["message"]


def test_a_run_whose_process_died_shows_as_interrupted_and_the_next_run_completes_it(client, tokens):
    contracts = billed_contracts(3)
    finance = bearer(tokens["finance"])
    died = run_that_dies_after_its_first_chunk(at_moment=datetime(2026, 11, 15, 9, 0, tzinfo=UTC))

    with clock.frozen(datetime(2026, 11, 15, 9, 5, tzinfo=UTC)):  # within its lease (10 minutes)
        assert client.get(f"{RUNS}/{died.id}", headers=finance).get_json()["status"] == "running"
    with clock.frozen(datetime(2026, 11, 15, 9, 11, tzinfo=UTC)):  # no heartbeat for 11 minutes
        shown = client.get(f"{RUNS}/{died.id}", headers=finance).get_json()
        assert (shown["status"], shown["processed"], shown["contracts"]) == ("interrupted", 1, 3)
        assert client.get(RUNS, headers=finance).get_json()[0]["status"] == "interrupted"
        assert_error(client.post(f"{RUNS}/{died.id}/finalize", headers=finance), 409, "status")

        resumed = client.post(RUNS, json={"period": "2026-10"}, headers=finance).get_json()

    assert (resumed["status"], resumed["completes_run_id"]) == ("completed", died.id)
    assert (resumed["invoices_created"], resumed["invoices_updated"]) == (2, 1)
    db.session.expire_all()
    closed = db.session.get(BillingRun, died.id)
    assert closed.status == "interrupted"  # recorded, not only shown
    assert closed.error == (
        f"Interrupted: its process stopped (no heartbeat in time); billing run {resumed['id']} of 2026-10 "
        "completes it."
    )
    totals = db.session.scalars(select(Invoice.total).where(Invoice.period == "2026-10")).all()
    assert len(totals) == len(contracts) and {str(total) for total in totals} == {"47.19"}
    # A later run of the period completes nothing more: the interrupted run has its completion.
    with clock.frozen(datetime(2026, 11, 15, 10, 0, tzinfo=UTC)):
        third = client.post(RUNS, json={"period": "2026-10"}, headers=finance).get_json()
    assert third["completes_run_id"] is None


def test_a_live_run_is_not_taken_over(client, tokens):
    billed_contracts(2)
    finance = bearer(tokens["finance"])
    alive = run_that_dies_after_its_first_chunk(at_moment=datetime(2026, 11, 15, 9, 0, tzinfo=UTC))
    with clock.frozen(datetime(2026, 11, 15, 9, 2, tzinfo=UTC)):  # its lease still holds
        other = client.post(RUNS, json={"period": "2026-10"}, headers=finance).get_json()
    assert other["completes_run_id"] is None
    db.session.expire_all()
    assert db.session.get(BillingRun, alive.id).status == "running"


def test_the_openapi_document_describes_the_outcomes(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    run = schema["BillingRun"]["properties"]
    status = run["status"]
    if "enum" not in status:  # a named enum schema
        status = schema[status["allOf"][0]["$ref"].rsplit("/", 1)[-1]]
    assert set(status["enum"]) == {"running", "completed", "completed_with_errors", "failed", "interrupted"}
    assert {"failed_contracts", "completes_run_id", "heartbeat_at"} <= set(run)
    failure = schema[run["failed_contracts"]["items"]["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert set(failure) == {"contract_id", "error"}
