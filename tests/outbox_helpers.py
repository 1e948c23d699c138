"""Outbox rows as the channels leave them, made directly: an event recorded with `record_event`, then the
e-mails, webhook endpoints, deliveries and attempts the fan-out and the delivery rounds would have
written, each in the state a test needs (pending, sent, failed after its retries); and reading what the
workflows recorded: the events of a type (or the one of a type and key), and the check that an event's
data carries exactly its type's keys."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from daas.core import clock
from daas.extensions import db
from daas.notifications.models import (
    FAILED,
    PENDING,
    SENT,
    EmailMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from daas.outbox.event_types import EVENT_TYPES
from daas.outbox.models import OutboxEvent
from daas.outbox.services import record_event
from tests import factories

_numbers = itertools.count(1)


def invoice_issued(customer_id: int | None, *, documents: tuple[int, ...] = ()) -> OutboxEvent:
    """An `invoice.issued` event for a new invoice number, with every field its type names."""
    n = next(_numbers)
    return record_event(
        "invoice.issued",
        key=f"invoice:{n}",
        customer_id=customer_id,
        data={
            "invoice_id": n,
            "number": f"INV-2026-{n:05d}",
            "period": "2026-10",
            "issue_date": "2026-11-01",
            "due_date": "2026-11-15",
            "currency": "EUR",
            "total": "1234.50",
        },
        documents=documents,
    )


def job_failed(*, error: str | None = None) -> OutboxEvent:
    """A staff event (about no customer)."""
    n = next(_numbers)
    return record_event(
        "job.failed",
        key=f"job_run:{n}",
        customer_id=None,
        data={"job": "billing_run", "run_id": n, "due_at": "2026-11-01T02:00:00Z", "error": error or "boom"},
    )


def email(
    event: OutboxEvent,
    to_address: str = "ap@example.com",
    status: str = PENDING,
    *,
    at: datetime | None = None,
    attempts: int | None = None,
    last_error: str | None = None,
    html_body: str | None = None,
    attachments: list[int] | None = None,
) -> EmailMessage:
    """An e-mail of `event`; `at`: when it was sent (sent), given up (failed) or is due (pending)."""
    moment = at or clock.now()
    number = event.data.get("number", event.key)
    message = EmailMessage(
        event_id=event.id,
        customer_id=event.customer_id,
        to_address=to_address,
        language="en",
        subject=f"Invoice {number}",
        text_body=f"Hello,\n\nInvoice {number} is attached.\n\ndaas",
        html_body=html_body
        or f"<!doctype html><html><body><p>Invoice <b>{number}</b> is attached.</p></body></html>",
        attachments=attachments or [],
        status=status,
        attempts=attempts if attempts is not None else {PENDING: 0, SENT: 1, FAILED: 6}[status],
        next_attempt_at=moment,
        last_error=last_error
        if last_error is not None
        else ("554 5.7.1 Relay denied" if status == FAILED else None),
        sent_at=moment if status == SENT else None,
        created_at=moment - timedelta(hours=1),
    )
    db.session.add(message)
    db.session.flush()
    return message


def endpoint(customer_id: int | None, url: str = "https://hooks.example.com/daas") -> WebhookEndpoint:
    hook = WebhookEndpoint(
        customer_id=customer_id,
        url=url,
        description="ERP",
        event_types=["*"],
        secret=f"whsec_{next(_numbers):032d}",
        status="enabled",
        created_at=clock.now() - timedelta(days=30),
    )
    db.session.add(hook)
    db.session.flush()
    return hook


def delivery(
    event: OutboxEvent,
    hook: WebhookEndpoint,
    status: str = PENDING,
    *,
    at: datetime | None = None,
    answers: tuple[int | None, ...] = (),
) -> WebhookDelivery:
    """A delivery of `event` to `hook`, with one attempt per answer (None: the connection failed)."""
    moment = at or clock.now()
    last = answers[-1] if answers else None
    row = WebhookDelivery(
        event_id=event.id,
        endpoint_id=hook.id,
        status=status,
        attempts=len(answers),
        next_attempt_at=moment,
        last_status_code=last,
        last_error=None
        if status == SENT
        else (f"HTTP {last}" if last else "connection refused" if answers else None),
        sent_at=moment if status == SENT else None,
        created_at=moment - timedelta(hours=len(answers) + 1),
    )
    db.session.add(row)
    db.session.flush()
    for n, code in enumerate(answers):
        db.session.add(
            WebhookAttempt(
                delivery_id=row.id,
                attempted_at=moment - timedelta(minutes=len(answers) - 1 - n),
                status_code=code,
                response_excerpt='{"ok": true}' if code and code < 300 else ("Bad gateway" if code else None),
                error=None if code else "ConnectionRefusedError: [Errno 111] Connection refused",
                duration_ms=40 + n,
            )
        )
    db.session.flush()
    return row


def dispatched(event: OutboxEvent, error: str | None = None) -> OutboxEvent:
    """The event as the fan-out leaves it: dispatched, with its error when it failed."""
    event.dispatched_at = clock.now()
    event.dispatch_error = error
    db.session.flush()
    return event


def every_state() -> None:
    """An outbox with a row in every state: events waiting, fanned out and failed; e-mails pending, sent
    and failed (one with a script in its HTML); deliveries pending, sent and failed, with their attempts."""
    customer_id = factories.customer().id
    hook = endpoint(customer_id)
    issued = dispatched(invoice_issued(customer_id))
    email(issued, "ap@example.com", SENT)
    email(issued, "cfo@example.com", FAILED, html_body="<p>Hi</p><script>alert(1)</script>")
    delivery(issued, hook, FAILED, answers=(None, 500))
    delivery(issued, endpoint(None, "https://ops.daas.example/events"), SENT, answers=(200,))
    pending = dispatched(invoice_issued(customer_id))
    email(pending, "ap@example.com", PENDING)
    delivery(pending, hook, PENDING)
    invoice_issued(customer_id)
    dispatched(job_failed(), error="KeyError: 'run_id'")


# -- reading what workflows recorded --------------------------------------------------------------------


def events(type_: str) -> list[OutboxEvent]:
    """The events of `type_`, oldest first, read again from the database."""
    db.session.expire_all()
    return list(
        db.session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
    )


def keys(type_: str) -> list[str]:
    return [event.key for event in events(type_)]


def the_event(type_: str, key: str) -> OutboxEvent:
    """The one event of `type_` about `key` (an AssertionError naming what there is otherwise)."""
    found = [event for event in events(type_) if event.key == key]
    assert len(found) == 1, (type_, key, keys(type_))
    return found[0]


def assert_event(event: OutboxEvent, customer_id: int | None, data: dict[str, Any]) -> None:
    """The event is about `customer_id` and its data is `data` (as JSON carries it: Decimals and dates
    as text), with every key its type lists and no other."""
    assert set(event.data) == set(EVENT_TYPES[event.type].fields), (event.type, sorted(event.data))
    assert event.customer_id == customer_id
    assert event.data == data
    assert event.event_id.startswith("evt_") and event.dispatched_at is None
