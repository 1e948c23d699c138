"""`Idempotency-Key` (documents.md, API): the same key and body within 24 hours answer what the first
request answered, status and body, and do nothing again; the same key with another request is a 422; keys
are per user; a request still running with its key makes the same request a 409; a request refused before
it ran, or failed before committing anything, keeps nothing; past 24 hours a key runs afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from daas.api import idempotency as idempotency_api
from daas.api.views import billing as billing_views
from daas.api.views import payments as payments_views
from daas.auth.services import create_token
from daas.billing.models import BillingRun, CreditNote, Invoice
from daas.core import clock
from daas.core.jobs import JobContext
from daas.extensions import db
from daas.idempotency import services as keys
from daas.idempotency.models import DONE, IN_FLIGHT, IdempotencyKey
from daas.idempotency.rules import KEEP_FOR, canonical_body, fingerprint, key_problem
from daas.jobs.payments import payment_retries_job
from daas.payments.models import Payment
from tests import factories
from tests.billing_helpers import bill, deploy, finalize_run
from tests.helpers import assert_error, bearer, settings_of

HEADER = "Idempotency-Key"
NOON = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
CREDIT = {"amount": "5.00", "reason": "Goodwill"}
TRANSFER = {"amount": "10.00", "reference": "TR-1", "paid_on": "2026-11-14"}


def _open_invoices(count: int) -> list[Invoice]:
    """`count` open invoices of October, 47.19 EUR each (one laptop at 39.00, 21 % VAT)."""
    plan = factories.plan()
    for _ in range(count):
        contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
    run = bill()
    finalize_run(run.id)
    return list(db.session.scalars(select(Invoice).where(Invoice.billing_run_id == run.id)))


@pytest.fixture
def now() -> Any:
    with clock.frozen(NOON):
        yield NOON


@pytest.fixture
def invoices(database: Any, now: datetime) -> list[Invoice]:
    return _open_invoices(2)


@pytest.fixture
def finance(database: Any) -> tuple[Any, dict[str, str]]:
    """A finance user and its bearer header."""
    user = factories.user("finance")
    return user, bearer(create_token(user.id, "tests")[1])


def _headers(finance: tuple[Any, dict[str, str]], key: str | None) -> dict[str, str]:
    return {**finance[1], **({HEADER: key} if key is not None else {})}


def _credit(client: Any, finance: Any, invoice: Invoice, key: str | None, body: Any = None) -> Any:
    return client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes", json=body or CREDIT, headers=_headers(finance, key)
    )


def _transfer(client: Any, finance: Any, invoice: Invoice, key: str | None, body: Any = None) -> Any:
    return client.post(
        f"/api/v1/invoices/{invoice.id}/payments", json=body or TRANSFER, headers=_headers(finance, key)
    )


def _notes(invoice: Invoice) -> int:
    return db.session.scalar(select(func.count()).where(CreditNote.invoice_id == invoice.id))


def _payments(invoice: Invoice) -> int:
    return db.session.scalar(select(func.count()).where(Payment.invoice_id == invoice.id))


def _rows() -> list[IdempotencyKey]:
    return list(db.session.scalars(select(IdempotencyKey).execution_options(populate_existing=True)))


def _same_answer(first: Any, again: Any) -> None:
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


# -- replay -----------------------------------------------------------------------------------------------


def test_without_the_header_every_request_runs(client, finance, invoices):
    (invoice, _) = invoices
    assert _credit(client, finance, invoice, None).status_code == 201
    assert _credit(client, finance, invoice, None).status_code == 201
    assert _notes(invoice) == 2 and _rows() == []


def test_the_same_key_and_body_replay_the_first_answer_and_create_nothing(client, finance, invoices):
    (invoice, _) = invoices
    first = _credit(client, finance, invoice, "credit-1")
    assert first.status_code == 201, first.get_json()
    again = _credit(client, finance, invoice, "credit-1")
    _same_answer(first, again)
    assert _notes(invoice) == 1

    paid = _transfer(client, finance, invoice, "transfer-1")
    assert paid.status_code == 201, paid.get_json()
    _same_answer(paid, _transfer(client, finance, invoice, "transfer-1"))
    assert _payments(invoice) == 1
    assert {(row.key, row.state, row.status_code) for row in _rows()} == {
        ("credit-1", DONE, 201),
        ("transfer-1", DONE, 201),
    }


def test_the_same_body_in_another_order_or_spacing_is_the_same_request(client, finance, invoices):
    (invoice, _) = invoices
    first = _credit(client, finance, invoice, "order")
    spaced = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        data='{ "reason" : "Goodwill",\n  "amount": "5.00" }',
        content_type="application/json",
        headers=_headers(finance, "order"),
    )
    _same_answer(first, spaced)
    assert _notes(invoice) == 1


def test_a_domain_refusal_is_kept_and_replayed_too(client, finance, invoices):
    (invoice, _) = invoices
    too_much = {"amount": "1000.00", "reason": "Everything"}
    first = _credit(client, finance, invoice, "too-much", too_much)
    assert first.status_code == 422, first.get_json()
    _same_answer(first, _credit(client, finance, invoice, "too-much", too_much))
    missing = client.post(
        "/api/v1/invoices/999999/credit-notes", json=CREDIT, headers=_headers(finance, "missing")
    )
    assert missing.status_code == 404
    again = client.post(
        "/api/v1/invoices/999999/credit-notes", json=CREDIT, headers=_headers(finance, "missing")
    )
    _same_answer(missing, again)


def test_a_void_and_a_billing_run_sent_again_replay_instead_of_acting_again(client, finance, invoices):
    (invoice, _) = invoices
    path = f"/api/v1/invoices/{invoice.id}/void"
    voided = client.post(path, json={"reason": "Wrong customer"}, headers=_headers(finance, "void-1"))
    assert voided.status_code == 200 and voided.get_json()["status"] == "void", voided.get_json()
    _same_answer(
        voided, client.post(path, json={"reason": "Wrong customer"}, headers=_headers(finance, "void-1"))
    )
    assert client.post(path, json={"reason": "Wrong customer"}, headers=finance[1]).status_code == 409
    assert _notes(invoice) == 1

    runs = db.session.scalar(select(func.count()).select_from(BillingRun))
    started = client.post(
        "/api/v1/billing-runs", json={"period": "2026-10"}, headers=_headers(finance, "run")
    )
    assert started.status_code == 201, started.get_json()
    again = client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=_headers(finance, "run"))
    _same_answer(started, again)
    assert db.session.scalar(select(func.count()).select_from(BillingRun)) == runs + 1


# -- refusals ---------------------------------------------------------------------------------------------


def test_the_same_key_with_another_request_is_refused(client, finance, invoices):
    (invoice, other) = invoices
    assert _credit(client, finance, invoice, "once").status_code == 201
    body = assert_error(_credit(client, finance, invoice, "once", {**CREDIT, "amount": "6.00"}), 422, HEADER)
    assert "another request" in body["message"]
    assert_error(_credit(client, finance, other, "once"), 422, HEADER)  # another invoice: another path
    assert_error(_transfer(client, finance, invoice, "once"), 422, HEADER)  # another endpoint
    assert (_notes(invoice), _notes(other), _payments(invoice)) == (1, 0, 0)


def test_keys_are_per_user(client, finance, invoices, database):
    (invoice, _) = invoices
    colleague = factories.user("finance")
    colleague_headers = bearer(create_token(colleague.id, "tests")[1])
    assert _credit(client, finance, invoice, "shared").status_code == 201
    theirs = _credit(client, (colleague, colleague_headers), invoice, "shared")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    different = _credit(client, (colleague, colleague_headers), invoice, "mine", {**CREDIT, "amount": "7.00"})
    assert different.status_code == 201
    assert _credit(client, finance, invoice, "mine").status_code == 201  # not a reuse of the colleague's
    assert _notes(invoice) == 4
    assert {row.owner for row in _rows()} == {f"user:{finance[0].id}", f"user:{colleague.id}"}


def test_a_request_still_running_with_the_key_makes_the_same_request_a_409(client, finance, invoices, now):
    (invoice, _) = invoices
    request = fingerprint(
        "POST", f"/api/v1/invoices/{invoice.id}/credit-notes", b'{"amount": "5.00", "reason": "Goodwill"}'
    )
    keys.claim(f"user:{finance[0].id}", "running", request, now)  # another worker's claim, committed
    db.session.commit()
    body = assert_error(_credit(client, finance, invoice, "running"), 409, HEADER)
    assert "still being processed" in body["message"]
    assert_error(_credit(client, finance, invoice, "running", {**CREDIT, "amount": "1.00"}), 422, HEADER)
    assert _notes(invoice) == 0
    assert [(row.state, row.status_code) for row in _rows()] == [(IN_FLIGHT, None)]


@pytest.mark.parametrize(
    "key",
    ["", " ", "with space", "é", "x" * 256, "tab\tbed"],
    ids=["empty", "blank", "space", "non-ascii", "too-long", "control"],
)
def test_a_key_that_is_not_1_to_255_visible_characters_is_refused(client, finance, invoices, key):
    (invoice, _) = invoices
    body = assert_error(_credit(client, finance, invoice, key), 422, HEADER)
    assert "visible ASCII" in body["errors"][HEADER][0]
    assert _notes(invoice) == 0 and _rows() == []


def test_two_keys_on_one_request_are_refused(client, finance, invoices):
    (invoice, _) = invoices
    twice = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        json=CREDIT,
        headers=[*finance[1].items(), (HEADER, "one"), (HEADER, "two")],
    )
    assert_error(twice, 422, HEADER)
    assert _notes(invoice) == 0 and _rows() == []


def test_the_longest_key_and_every_visible_character_are_accepted(client, finance, invoices):
    (invoice, _) = invoices
    assert _credit(client, finance, invoice, "k" * 255).status_code == 201
    visible = "".join(map(chr, range(0x21, 0x7F)))
    assert _credit(client, finance, invoice, visible, {**CREDIT, "amount": "1.00"}).status_code == 201
    assert key_problem(visible) is None and key_problem("k" * 256) is not None


# -- what is not kept -------------------------------------------------------------------------------------


def test_a_request_refused_before_it_ran_keeps_nothing(client, finance, invoices):
    (invoice, _) = invoices
    assert_error(_credit(client, finance, invoice, "fix-it", {"reason": "Goodwill"}), 422, "amount")
    bad_json = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        data="{not json",
        content_type="application/json",
        headers=_headers(finance, "fix-it"),
    )
    assert_error(bad_json, 400, "body")
    assert _rows() == []
    fixed = _credit(client, finance, invoice, "fix-it")  # the same key, now with a body that runs
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_an_unexpected_failure_before_any_commit_lets_the_key_go(client, finance, invoices, monkeypatch):
    (invoice, _) = invoices

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(payments_views.use_cases, "record_bank_transfer", broken)
        failed = _transfer(client, finance, invoice, "retry-me")
    assert_error(failed, 500)
    assert _rows() == [] and _payments(invoice) == 0
    retried = _transfer(client, finance, invoice, "retry-me")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert _payments(invoice) == 1


def test_an_unexpected_failure_after_work_was_committed_is_kept(client, finance, invoices, monkeypatch):
    (invoice, _) = invoices
    issue = billing_views.issue_credit_note

    def refund_step_fails(*args: Any, **kwargs: Any) -> Any:
        issue(*args, **kwargs)  # the note is issued and committed
        raise RuntimeError("the refund step failed")

    monkeypatch.setattr(billing_views, "issue_credit_note", refund_step_fails)
    failed = _credit(client, finance, invoice, "half-done")
    assert_error(failed, 500)
    monkeypatch.undo()
    again = _credit(client, finance, invoice, "half-done")
    _same_answer(failed, again)
    assert _notes(invoice) == 1  # not issued twice


def test_an_answer_that_cannot_be_kept_is_still_given(client, finance, invoices, monkeypatch):
    (invoice, _) = invoices

    def database_gone(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(idempotency_api, "finish_key", database_gone)
    issued = _credit(client, finance, invoice, "unkept")
    assert issued.status_code == 201, issued.get_json()
    assert [(row.state, row.status_code) for row in _rows()] == [(IN_FLIGHT, None)]  # 409 until it expires
    assert_error(_credit(client, finance, invoice, "unkept"), 409, HEADER)
    assert _notes(invoice) == 1


# -- 24 hours ---------------------------------------------------------------------------------------------


def test_a_key_holds_for_24_hours_then_runs_afresh(client, finance, invoices, now):
    (invoice, _) = invoices
    first = _credit(client, finance, invoice, "daily")
    with clock.frozen(now + KEEP_FOR - timedelta(seconds=1)):
        _same_answer(first, _credit(client, finance, invoice, "daily"))
        assert_error(_credit(client, finance, invoice, "daily", {**CREDIT, "amount": "1.00"}), 422, HEADER)
    with clock.frozen(now + KEEP_FOR):
        later = _credit(client, finance, invoice, "daily", {**CREDIT, "amount": "1.00"})
        assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert _notes(invoice) == 2
    (row,) = _rows()
    assert (row.created_at, row.expires_at) == (now + KEEP_FOR, now + 2 * KEEP_FOR)


def test_the_payments_job_deletes_expired_keys(app, client, finance, invoices, now):
    (invoice, other) = invoices
    assert _credit(client, finance, invoice, "old").status_code == 201
    with clock.frozen(now + timedelta(hours=1)):
        assert _credit(client, finance, other, "newer").status_code == 201
    with clock.frozen(now + KEEP_FOR):
        counts = payment_retries_job(JobContext(settings_of(app), clock.now()))
    assert counts["idempotency_keys_deleted"] == 1
    assert [row.key for row in _rows()] == ["newer"]


# -- the fingerprint and the document ---------------------------------------------------------------------


def test_a_json_body_is_fingerprinted_by_value():
    assert canonical_body(b'{"b": [1, 2.50], "a": "x"}') == canonical_body(b'{"a":"x","b":[1.0,25e-1]}')
    assert canonical_body(b'{"a": "1"}') != canonical_body(b'{"a": 1}')
    assert canonical_body(b'{"a": 1.0000000000000000000000000000001}') != canonical_body(b'{"a": 1}')
    assert canonical_body(b"not json") == b"not json" and canonical_body(b"") == b""
    assert canonical_body(b'{"a": NaN}') == b'{"a": NaN}'
    path = "/api/v1/invoices/1/void"
    assert fingerprint("post", path, b"{}") == fingerprint("POST", path, b" { } ")
    assert fingerprint("POST", path, b"{}") != fingerprint("POST", path + "?x=1", b"{}")


# Every POST that changes money or documents (and nothing else).
IDEMPOTENT = {
    ("post", "/api/v1/billing-runs"),
    ("post", "/api/v1/billing-runs/{run_id}/finalize"),
    ("post", "/api/v1/invoices/{invoice_id}/finalize"),
    ("post", "/api/v1/invoices/{invoice_id}/void"),
    ("post", "/api/v1/invoices/{invoice_id}/credit-notes"),
    ("post", "/api/v1/invoices/{invoice_id}/payments"),
    ("post", "/api/v1/invoices/{invoice_id}/collect"),
    ("post", "/api/v1/customers/{customer_id}/payment-method"),
    ("post", "/api/v1/webhook-events/{event_id}/retry"),
    # An order and a shipment sent twice (a timeout, a retry) would order or book twice.
    ("post", "/api/v1/orders"),
    ("post", "/api/v1/shipments"),
    # A one-off charge and each of its moves (a granted dispute issues a credit note).
    ("post", "/api/v1/contracts/{contract_id}/charges"),
    ("post", "/api/v1/charges/{charge_id}/approve"),
    ("post", "/api/v1/charges/{charge_id}/waive"),
    ("post", "/api/v1/charges/{charge_id}/dispute"),
    ("post", "/api/v1/charges/{charge_id}/uphold"),
    ("post", "/api/v1/charges/{charge_id}/grant"),
    # A plan change, an extension or a termination changes what the contract bills.
    ("post", "/api/v1/contracts/{contract_id}/plan-changes"),
    ("post", "/api/v1/contracts/{contract_id}/extend"),
    ("post", "/api/v1/contracts/{contract_id}/terminate"),
    # A grade C or D may propose a damage charge.
    ("post", "/api/v1/devices/{serial}/grade"),
    # An end-of-term choice buys a device out (a charge) or extends the contract.
    ("post", "/api/v1/contracts/{contract_id}/end-of-term"),
    # A webhook endpoint created twice would deliver every event twice.
    ("post", "/api/v1/webhook-endpoints"),
    # A grid factor set posted twice would be two versions, and reports would name the second.
    ("post", "/api/v1/impact/grid-factor-sets"),
    # A saved scenario sent twice would be kept twice; applying one changes contracts' refresh cycles.
    # Comparing scenarios (POST /customers/{customer_id}/scenarios) stores nothing: no key.
    ("post", "/api/v1/customers/{customer_id}/saved-scenarios"),
    ("post", "/api/v1/customers/{customer_id}/saved-scenarios/{scenario_id}/apply"),
}


def test_the_document_names_the_header_where_it_is_taken(client):
    document = client.get("/api/v1/openapi.json").get_json()
    taking = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "x-daas-idempotency-key" not in operation
            headers = [
                p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == HEADER
            ]
            if headers:
                taking.add((method, path))
                assert headers[0]["required"] is False
                assert headers[0]["schema"] == {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": "^[!-~]+$",
                }
                assert {"409", "422"} <= set(operation["responses"]), (method, path)
    assert taking == IDEMPOTENT
