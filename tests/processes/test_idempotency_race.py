"""Requests with one `Idempotency-Key` at the same moment (threads, each with its own connection, real
commits, PostgreSQL): the claim on (owner, key) lets exactly one of them run, so one credit note or one
payment is made per user and key; every other request answers what the first answered (replayed) or,
while the first is still running, 409. Never two credit notes, never a second answer that disagrees."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from daas.api.views import billing as billing_views
from daas.auth.services import create_token
from daas.billing.models import Invoice
from daas.core import clock
from daas.extensions import db
from tests import factories
from tests.billing_helpers import bill, deploy, finalize_run
from tests.helpers import bearer
from tests.processes import TIMEOUT, sql

pytestmark = pytest.mark.postgres

HEADER = "Idempotency-Key"
REQUESTS = 8
CREDIT = {"amount": "5.00", "reason": "Goodwill"}
TRANSFER = {"amount": "10.00", "reference": "TR-RACE", "paid_on": "2026-11-14"}


@pytest.fixture
def world(committed: Flask) -> Iterator[tuple[Flask, int, list[dict[str, str]]]]:
    """An open invoice of October and two finance users' bearer headers, committed; the clock frozen on
    2026-11-15 for every thread."""
    with clock.frozen(datetime(2026, 11, 15, 12, tzinfo=UTC)):
        with committed.app_context():
            contract = factories.contract(plan_code=factories.plan().code, start_date=date(2026, 1, 1))
            deploy(contract, date(2026, 2, 1))
            finalize_run(bill().id)
            invoice_id = db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contract.id))
            users = [factories.user("finance") for _ in range(2)]
            headers = [bearer(create_token(user.id, "tests")[1]) for user in users]
            db.session.commit()
            db.session.remove()
        yield committed, invoice_id, headers


def _at_once(app: Flask, sends: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[Any]:
    """Each (path, body, headers) posted from its own thread, let go at the same moment; the responses."""
    barrier = threading.Barrier(len(sends))
    responses: list[Any] = [None] * len(sends)
    errors: list[BaseException] = []

    def send(index: int) -> None:
        path, body, headers = sends[index]
        try:
            client = app.test_client()
            barrier.wait(timeout=TIMEOUT)
            responses[index] = client.post(path, json=body, headers=headers)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=send, args=(index,), daemon=True) for index in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    assert not errors, errors
    return responses


def _agree(responses: list[Any], status: int) -> None:
    """One request ran (`status`, not replayed); every other one replayed its answer or got 409."""
    ran = [r for r in responses if r.status_code == status and "Idempotent-Replayed" not in r.headers]
    assert len(ran) == 1, [(r.status_code, r.get_json()) for r in responses]
    for response in responses:
        if response is ran[0]:
            continue
        if response.status_code == 409:
            assert HEADER in response.get_json()["errors"], response.get_json()
        else:
            assert response.headers["Idempotent-Replayed"] == "true"
            assert (response.status_code, response.get_json()) == (status, ran[0].get_json())


@pytest.mark.parametrize(
    ("endpoint", "bodies", "table"),
    [
        ("credit-notes", (CREDIT, CREDIT), "credit_notes"),
        # A bank transfer's reference is recorded once, whoever sends it: each user's own.
        ("payments", (TRANSFER, {**TRANSFER, "reference": "TR-RACE-2"}), "payments"),
    ],
    ids=["credit-note", "bank-transfer"],
)
def test_one_key_sent_at_once_makes_one_per_user(world, endpoint, bodies, table):
    app, invoice_id, (first, second) = world
    path = f"/api/v1/invoices/{invoice_id}/{endpoint}"
    users = (first, second)
    sends = [(path, bodies[i % 2], {**users[i % 2], HEADER: "race-1"}) for i in range(REQUESTS)]
    responses = _at_once(app, sends)
    _agree(responses[0::2], 201)  # the first user's
    _agree(responses[1::2], 201)  # the second user's, with the same key: theirs
    assert sql(app, f"SELECT count(*) FROM {table} WHERE invoice_id = {invoice_id}") == [(2,)]
    assert sql(app, "SELECT state, status_code FROM idempotency_keys") == [("done", 201), ("done", 201)]


def test_while_the_first_runs_the_same_request_is_a_409_and_then_its_replay(world, monkeypatch):
    app, invoice_id, (finance, _) = world
    path = f"/api/v1/invoices/{invoice_id}/credit-notes"
    headers = {**finance, HEADER: "slow"}
    started, go = threading.Event(), threading.Event()
    issue = billing_views.issue_credit_note

    def slow_issue(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert go.wait(TIMEOUT)
        return issue(*args, **kwargs)

    monkeypatch.setattr(billing_views, "issue_credit_note", slow_issue)
    answers: list[Any] = []
    first = threading.Thread(
        target=lambda: answers.append(app.test_client().post(path, json=CREDIT, headers=headers))
    )
    first.start()
    try:
        assert started.wait(TIMEOUT), "the first request did not start"
        client = app.test_client()
        running = client.post(path, json=CREDIT, headers=headers)  # another connection sees the claim
        assert running.status_code == 409, running.get_json()
        other = client.post(path, json={**CREDIT, "amount": "1.00"}, headers=headers)
        assert other.status_code == 422 and HEADER in other.get_json()["errors"]
    finally:
        go.set()
        first.join(timeout=TIMEOUT)
    (answer,) = answers
    assert answer.status_code == 201, answer.get_json()
    again = app.test_client().post(path, json=CREDIT, headers=headers)
    assert (again.status_code, again.get_json()) == (201, answer.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sql(app, f"SELECT count(*) FROM credit_notes WHERE invoice_id = {invoice_id}") == [(1,)]
