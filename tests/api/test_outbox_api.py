"""/api/v1/outbox: admin reads what was sent, what waits and what failed, resends an e-mail and retries a
fan-out; a wrong filter is a 422 naming it, and no other role gets in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from daas.core import clock
from daas.extensions import db
from daas.notifications.models import FAILED, PENDING, SENT, EmailMessage
from daas.outbox.models import OutboxEvent
from tests import factories
from tests import outbox_helpers as rows
from tests.helpers import assert_error, bearer

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
OUTBOX = "/api/v1/outbox"


@pytest.fixture
def admin(database):
    with clock.frozen(NOW):
        yield bearer(factories.token("admin"))


def test_the_summary_counts_the_rows(client, admin) -> None:
    customer = factories.customer()
    hook = rows.endpoint(customer.id)
    for status in (SENT, SENT, FAILED):
        rows.email(rows.dispatched(rows.invoice_issued(customer.id)), status=status)
    rows.delivery(rows.dispatched(rows.invoice_issued(customer.id)), hook, PENDING)
    rows.invoice_issued(customer.id)
    rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")

    answer = client.get(f"{OUTBOX}/summary", headers=admin)

    assert answer.status_code == 200
    assert answer.get_json() == {
        "emails": {"pending": 0, "sent": 2, "failed": 1},
        "deliveries": {"pending": 1, "sent": 0, "failed": 0},
        "events_waiting": 1,
        "events_failed": 1,
        "mail_backend": "catch",
    }


def test_the_e_mails_are_listed_newest_first_without_their_bodies(client, admin) -> None:
    customer, other = factories.customer(), factories.customer()
    first = rows.email(rows.invoice_issued(customer.id), "ap@first.example", SENT)
    failed = rows.email(rows.invoice_issued(customer.id), "ap@second.example", FAILED)
    rows.email(rows.invoice_issued(other.id), "ap@other.example", FAILED)
    staff = rows.email(rows.job_failed(), "ops@daas.example", PENDING)

    listed = client.get(f"{OUTBOX}/emails?page_size=2", headers=admin)

    assert listed.status_code == 200 and json.loads(listed.headers["X-Pagination"])["total"] == 4
    newest = listed.get_json()[0]
    assert newest["id"] == staff.id and newest["event"]["type"] == "job.failed"
    assert "html_body" not in newest and "text_body" not in newest
    mine = client.get(f"{OUTBOX}/emails?status=failed&customer_id={customer.id}", headers=admin).get_json()
    assert [(e["id"], e["to_address"], e["attempts"], e["last_error"]) for e in mine] == [
        (failed.id, "ap@second.example", 6, "554 5.7.1 Relay denied")
    ]
    assert mine[0]["event"]["customer_id"] == customer.id and mine[0]["event"]["event_id"].startswith("evt_")
    by_type = client.get(f"{OUTBOX}/emails?type=invoice.issued", headers=admin).get_json()
    assert [e["id"] for e in by_type][-1] == first.id and len(by_type) == 3
    assert client.get(f"{OUTBOX}/emails?address=SECOND", headers=admin).get_json()[0]["id"] == failed.id


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("emails?status=bounced", "status"),
        ("deliveries?status=lost", "status"),
        ("emails?type=invoice.paid", "type"),
        ("emails?customer_id=0", "customer_id"),
    ],
)
def test_an_unknown_filter_is_refused_naming_it(client, admin, path, field) -> None:
    assert_error(client.get(f"{OUTBOX}/{path}", headers=admin), 422, field)


def test_an_e_mail_is_shown_with_its_bodies_and_resent(client, admin) -> None:
    html = "<p>Invoice <b>INV-1</b></p><script>alert(1)</script>"
    message = rows.email(
        rows.invoice_issued(factories.customer().id),
        status=FAILED,
        at=NOW - timedelta(days=2),
        html_body=html,
        attachments=[424242],
    )

    shown = client.get(f"{OUTBOX}/emails/{message.id}", headers=admin).get_json()
    assert (shown["status"], shown["html_body"], shown["subject"]) == (FAILED, html, message.subject)
    assert shown["text_body"].startswith("Hello,")
    assert shown["attachments"] == [
        {"document_id": 424242, "name": None, "format": None, "size": None, "invoice_id": None}
    ]

    resent = client.post(f"{OUTBOX}/emails/{message.id}/resend", headers=admin)

    assert resent.status_code == 200
    body = resent.get_json()
    assert (body["status"], body["attempts"], body["next_attempt_at"]) == (
        PENDING,
        0,
        "2026-11-15T12:00:00+00:00",
    )
    db.session.expire_all()
    assert db.session.get(EmailMessage, message.id).status == PENDING
    assert_error(client.get(f"{OUTBOX}/emails/{message.id + 1000}", headers=admin), 404)
    assert_error(client.post(f"{OUTBOX}/emails/{message.id + 1000}/resend", headers=admin), 404)


def test_the_deliveries_are_listed_with_their_endpoint(client, admin) -> None:
    customer = factories.customer()
    hook = rows.endpoint(customer.id, "https://erp.example.com/hooks")
    failed = rows.delivery(rows.invoice_issued(customer.id), hook, FAILED, answers=(500, 503))
    rows.delivery(rows.invoice_issued(customer.id), hook, SENT, answers=(200,))

    listed = client.get(f"{OUTBOX}/deliveries?status=failed", headers=admin).get_json()

    assert [
        (d["id"], d["url"], d["attempts"], d["last_status_code"], d["endpoint_customer_id"]) for d in listed
    ] == [(failed.id, "https://erp.example.com/hooks", 2, 503, customer.id)]
    assert len(client.get(f"{OUTBOX}/deliveries?url=ERP", headers=admin).get_json()) == 2


def test_a_failed_fan_out_is_redispatched_and_a_clean_one_refused(client, admin) -> None:
    broken = rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")
    fine = rows.dispatched(rows.invoice_issued(factories.customer().id))

    retried = client.post(f"{OUTBOX}/events/{broken.id}/redispatch", headers=admin)

    assert retried.status_code == 200
    assert (retried.get_json()["state"], retried.get_json()["dispatch_error"]) == ("waiting", None)
    db.session.expire_all()
    assert db.session.get(OutboxEvent, broken.id).dispatched_at is None
    assert_error(client.post(f"{OUTBOX}/events/{fine.id}/redispatch", headers=admin), 409)
    assert db.session.get(OutboxEvent, fine.id).dispatched_at is not None
    assert_error(client.post(f"{OUTBOX}/events/{fine.id + 1000}/redispatch", headers=admin), 404)


@pytest.mark.parametrize("role", ["finance", "logistics", "customer"])
def test_only_admins_may_use_the_outbox(client, database, role) -> None:
    customer = factories.customer()
    message = rows.email(rows.dispatched(rows.invoice_issued(customer.id)), status=FAILED)
    broken = rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")
    token = bearer(factories.token(role, customer.id if role == "customer" else None))
    calls = [
        ("GET", f"{OUTBOX}/summary"),
        ("GET", f"{OUTBOX}/emails"),
        ("GET", f"{OUTBOX}/emails/{message.id}"),
        ("POST", f"{OUTBOX}/emails/{message.id}/resend"),
        ("GET", f"{OUTBOX}/deliveries"),
        ("POST", f"{OUTBOX}/events/{broken.id}/redispatch"),
    ]
    for method, url in calls:
        assert_error(client.open(url, method=method, headers=token), 403)
        assert_error(client.open(url, method=method), 401)
    db.session.expire_all()
    assert db.session.get(EmailMessage, message.id).status == FAILED
    assert db.session.get(OutboxEvent, broken.id).dispatch_error is not None
