"""Sending through a real SMTP server: a server that is down makes each e-mail wait for its retry (and
arrive once when it is back), the last retry failing gives the e-mail up with its error, a login is sent
when a user is set, STARTTLS and SSL are spoken, and the `catch` backend sends nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from daas.core import clock
from daas.notifications.email_sending import SMTP_CONNECTIONS
from daas.notifications.models import FAILED, PENDING, SENT, EmailMessage
from daas.outbox.services import record_event
from daas.usecases.notifications import deliver_notifications
from tests.notifications.conftest import PASSWORD, SmtpServer, sending_to, server_context
from tests.notifications.worlds import account

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
SHIPPED = {
    "order_id": 15,
    "shipment_id": 21,
    "carrier": "PostNL",
    "tracking_number": "3SABCD1234567",
    "tracking_url": None,
    "serials": ["SN-2001"],
}


def _shipped(customer_id: int, key: str = "shipment:21") -> Any:
    return record_event("delivery.shipped", key=key, customer_id=customer_id, data=SHIPPED)


def _rows(database: Any, event_id: int) -> list[EmailMessage]:
    database.session.expire_all()
    query = select(EmailMessage).where(EmailMessage.event_id == event_id).order_by(EmailMessage.id)
    return list(database.session.scalars(query))


def test_a_server_that_is_down_retries_and_each_e_mail_arrives_once_when_it_is_back(
    app, database, smtp_server
):
    customer = account("nl")
    settings = sending_to(smtp_server)
    smtp_server.stop()  # its port is closed
    with clock.frozen(T0):
        event = _shipped(customer.id)
        database.session.commit()
        report = deliver_notifications("test", settings)
    assert (report.emails_sent, report.emails_retrying) == (0, 2)
    first_wait = settings.email_retries.waits[0]
    for row in _rows(database, event.id):
        assert (row.status, row.attempts, row.next_attempt_at) == (PENDING, 1, T0 + first_wait)
        assert "ConnectionRefusedError" in row.last_error

    smtp_server.start()
    with clock.frozen(T0 + first_wait - timedelta(seconds=1)):  # not due yet: nothing is tried
        assert deliver_notifications("test", settings).emails_sent == 0
    assert smtp_server.messages == []
    with clock.frozen(T0 + first_wait):
        assert deliver_notifications("test", settings).emails_sent == 2
        assert deliver_notifications("test", settings).emails_sent == 0  # sent once, never again

    assert sorted(message["To"] for message in smtp_server.messages) == sorted(customer.user_addresses)
    for row in _rows(database, event.id):
        assert (row.status, row.attempts, row.sent_at, row.last_error) == (SENT, 2, T0 + first_wait, None)


def test_after_the_last_retry_fails_the_e_mail_is_given_up_with_its_error(app, database, smtp_server):
    customer = account("de")
    settings = sending_to(smtp_server)
    smtp_server.stop()
    with clock.frozen(T0):
        event = _shipped(customer.id)
        database.session.commit()
    moment, attempts = T0, []
    for attempt in range(1, settings.email_retries.max_attempts + 1):
        with clock.frozen(moment):
            deliver_notifications("test", settings)
        row = _rows(database, event.id)[0]
        attempts.append((row.attempts, row.status, row.next_attempt_at))
        moment = row.next_attempt_at
        assert row.attempts == attempt
    waits = settings.email_retries.waits
    schedule = [T0 + sum(waits[:n], timedelta()) for n in range(1, len(waits) + 1)]
    assert attempts[:-1] == [(n, PENDING, at) for n, at in enumerate(schedule, start=1)]
    given_up = _rows(database, event.id)
    assert {(row.status, row.attempts) for row in given_up} == {(FAILED, len(waits) + 1)}
    assert all("ConnectionRefusedError" in row.last_error for row in given_up)
    smtp_server.start()
    with clock.frozen(moment + timedelta(days=1)):
        assert deliver_notifications("test", settings).emails_sent == 0  # given up: not sent any more
    assert smtp_server.messages == []


def test_the_login_is_sent_when_a_user_is_set(app, database, smtp_server):
    customer = account("en")
    _shipped(customer.id)
    database.session.commit()

    report = deliver_notifications(
        "test", sending_to(smtp_server, username="relay@daas.example", password=PASSWORD)
    )

    assert report.emails_sent == 2
    # One login per connection: the batch's two e-mails go over two of the sender's connections.
    assert smtp_server.logins == [("relay@daas.example", PASSWORD)] * min(2, SMTP_CONNECTIONS)
    assert len(smtp_server.messages) == 2


def test_a_refused_login_is_retried_with_the_server_s_answer(app, database, smtp_server):
    customer = account("en")
    event = _shipped(customer.id)
    database.session.commit()

    report = deliver_notifications(
        "test", sending_to(smtp_server, username="relay@daas.example", password="wrong")
    )

    assert (report.emails_sent, report.emails_retrying) == (0, 2)
    assert smtp_server.messages == []
    for row in _rows(database, event.id):
        assert row.status == PENDING
        assert "SMTPAuthenticationError" in row.last_error and "535" in row.last_error


def test_without_a_user_no_login_is_tried(app, database, smtp_server):
    customer = account("en")
    _shipped(customer.id)
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    assert smtp_server.logins == []
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_starttls_and_ssl_send_over_a_checked_certificate(app, database, certificate, monkeypatch, security):
    context = server_context(certificate)
    options = {"tls_context": context, "require_starttls": True} if security == "starttls" else {}
    server = SmtpServer(**options, **({"ssl_context": context} if security == "ssl" else {}))
    server.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", certificate[0])  # the client trusts this certificate
        customer = account("fr")
        _shipped(customer.id)
        database.session.commit()
        report = deliver_notifications("test", sending_to(server, security=security))
    finally:
        server.stop()
    assert report.emails_sent == 2
    assert sorted(message["To"] for message in server.messages) == sorted(customer.user_addresses)


def test_a_certificate_the_client_does_not_trust_is_a_failure(app, database, certificate):
    server = SmtpServer(tls_context=server_context(certificate), require_starttls=True)
    server.start()
    try:
        customer = account("fr")
        event = _shipped(customer.id)
        database.session.commit()
        report = deliver_notifications("test", sending_to(server, security="starttls"))
    finally:
        server.stop()
    assert (report.emails_sent, report.emails_retrying) == (0, 2)
    assert server.messages == []
    assert all("CERTIFICATE_VERIFY_FAILED" in row.last_error for row in _rows(database, event.id))


def test_the_catch_backend_sends_nothing_and_marks_the_e_mails_sent(app, database, smtp_server):
    customer = account("nl")
    event = _shipped(customer.id)
    database.session.commit()
    settings = sending_to(smtp_server)
    caught = dataclasses.replace(settings, mail=dataclasses.replace(settings.mail, backend="catch"))

    report = deliver_notifications("test", caught)

    assert report.emails_sent == 2
    assert smtp_server.messages == []
    assert {row.status for row in _rows(database, event.id)} == {SENT}


def test_a_resent_e_mail_keeps_its_message_id(app, database, smtp_server):
    from daas.usecases.notifications import resend_email

    customer = account("en")
    event = _shipped(customer.id)
    database.session.commit()
    settings = sending_to(smtp_server)
    deliver_notifications("test", settings)
    first = _rows(database, event.id)[0]

    resend_email(first.id)
    deliver_notifications("test", settings)

    sent = smtp_server.to(first.to_address)
    assert len(sent) == 2
    assert sent[0]["Message-ID"] == sent[1]["Message-ID"] == f"<{event.event_id}-{first.id}@daas.example>"
