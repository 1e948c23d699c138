"""The outbox and the claims every sender takes: an event recorded once per fact and only if its
transaction commits; due messages claimed by one sender at a time under a lease, retried on their
schedule, given up at its end, and taken again when a sender's lease runs out.

On PostgreSQL, threads racing for the same due messages claim each exactly once, and two transactions
recording the same fact leave one event."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.core import clock
from daas.core.errors import Conflict
from daas.extensions import db
from daas.notifications import delivery
from daas.notifications.models import EmailMessage
from daas.notifications.retry_rules import RetrySchedule
from daas.outbox.models import OutboxEvent
from daas.outbox.services import record_event
from daas.usecases.transaction import use_case
from tests import factories

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
RETRIES = RetrySchedule.parse("1,5")


def _event(customer_id: int, key: str = "invoice:1") -> OutboxEvent:
    return record_event(
        "invoice.overdue",
        key=key,
        customer_id=customer_id,
        data={
            "invoice_id": 1,
            "number": "INV-2026-000001",
            "currency": "EUR",
            "amount_due": Decimal("47.19"),
            "due_date": datetime(2026, 11, 30, tzinfo=UTC).date(),
            "days_overdue": 1,
        },
    )


def _emails(event: OutboxEvent, count: int, due: datetime = AT, to: str = "ap") -> list[int]:
    rows = [
        EmailMessage(
            event_id=event.id,
            customer_id=event.customer_id,
            to_address=f"{to}{n}@example.com",
            language="en",
            subject="Invoice INV-2026-000001 is overdue",
            text_body="Please pay.",
            html_body="<p>Please pay.</p>",
            attachments=[],
            status="pending",
            attempts=0,
            next_attempt_at=due,
            created_at=AT,
        )
        for n in range(count)
    ]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def test_an_event_is_recorded_once_per_fact_with_json_safe_data(database):
    customer = factories.customer()
    with clock.frozen(AT):
        first = _event(customer.id)
        again = _event(customer.id)
    assert again.id == first.id
    assert first.event_id.startswith("evt_") and len(first.event_id) == 28
    assert first.data["amount_due"] == "47.19" and first.data["due_date"] == "2026-11-30"
    assert first.created_at == AT
    assert db.session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.key == "invoice:1")) == 1


def test_an_unknown_event_type_is_a_programming_error(database):
    with pytest.raises(ValueError, match="unknown event type"):
        record_event("invoice.lost", key="x", customer_id=None, data={})


def test_an_event_whose_transaction_rolls_back_is_never_there_to_send(database):
    customer = factories.customer()

    @use_case
    def issue_then_fail() -> None:
        _event(customer.id, key="invoice:rolled-back")
        raise Conflict("The invoice was finalized by someone else.")

    with pytest.raises(Conflict):
        issue_then_fail()
    assert db.session.scalar(select(OutboxEvent).where(OutboxEvent.key == "invoice:rolled-back")) is None


def test_only_due_unleased_messages_are_claimed_and_a_dead_senders_lease_runs_out(database):
    event = _event(factories.customer().id)
    due = _emails(event, 3)
    later = _emails(event, 1, due=AT + LEASE + timedelta(minutes=1), to="later")
    with clock.frozen(AT):
        assert delivery.claim_due(EmailMessage, "one", LEASE, 10) == due
        assert delivery.claim_due(EmailMessage, "two", LEASE, 10) == []
    with clock.frozen(AT + LEASE + timedelta(seconds=1)):
        assert delivery.claim_due(EmailMessage, "two", LEASE, 2) == due[:2]
    with clock.frozen(AT + LEASE + timedelta(minutes=2)):  # two still holds its lease
        assert delivery.claim_due(EmailMessage, "three", LEASE, 10) == [due[2], *later]


def test_only_the_lease_holder_records_the_outcome(database):
    (message_id,) = _emails(_event(factories.customer().id), 1)
    with clock.frozen(AT):
        delivery.claim_due(EmailMessage, "one", LEASE, 10)
    with clock.frozen(AT + LEASE + timedelta(seconds=1)):
        delivery.claim_due(EmailMessage, "two", LEASE, 10)
        assert delivery.record_sent(EmailMessage, message_id, "one") is False
        assert delivery.record_failure(EmailMessage, message_id, "one", "late", RETRIES) is None
        assert delivery.record_sent(EmailMessage, message_id, "two") is True
    db.session.expire_all()
    message = db.session.get(EmailMessage, message_id)
    assert (message.status, message.attempts, message.lease_owner) == ("sent", 1, None)
    assert message.sent_at == AT + LEASE + timedelta(seconds=1)


def test_failures_wait_their_schedule_then_the_message_fails_and_a_resend_starts_again(database):
    (message_id,) = _emails(_event(factories.customer().id), 1)
    moments = []
    at = AT
    for expected in ("pending", "pending", "failed"):
        with clock.frozen(at):
            assert delivery.claim_due(EmailMessage, "one", LEASE, 10) == [message_id]
            assert delivery.record_failure(EmailMessage, message_id, "one", "421 busy", RETRIES) == expected
        message = db.session.get(EmailMessage, message_id)
        moments.append(message.next_attempt_at)
        at = message.next_attempt_at
    assert moments[:2] == [AT + timedelta(minutes=1), AT + timedelta(minutes=6)]
    assert (message.attempts, message.last_error) == (3, "421 busy")
    with clock.frozen(AT + timedelta(days=1)):
        assert delivery.claim_due(EmailMessage, "one", LEASE, 10) == []
        delivery.resend(EmailMessage, message_id)
        assert (message.status, message.attempts) == ("pending", 0)
        assert delivery.claim_due(EmailMessage, "one", LEASE, 10) == [message_id]


def test_a_message_in_a_senders_hands_cannot_be_resent_and_a_waiting_one_goes_at_once(database):
    first, second = _emails(_event(factories.customer().id), 2)
    with clock.frozen(AT):
        delivery.claim_due(EmailMessage, "one", LEASE, 1)
        with pytest.raises(Conflict, match="being sent right now"):
            delivery.resend(EmailMessage, first)
        delivery.claim_due(EmailMessage, "one", LEASE, 1)
        delivery.record_failure(EmailMessage, second, "one", "421 busy", RETRIES)
    with clock.frozen(AT + timedelta(seconds=10)):
        waiting = delivery.resend(EmailMessage, second)  # due in a minute: now, with every retry ahead
        assert (waiting.status, waiting.attempts) == ("pending", 0)
        assert waiting.next_attempt_at == AT + timedelta(seconds=10)
        assert delivery.claim_due(EmailMessage, "two", LEASE, 10) == [second]


# -- races on PostgreSQL (real threads, committed rows) ------------------------------------------------------

MESSAGES = 200
SENDERS = 4
TIMEOUT = 60.0


def _run_together(app, work, count: int) -> list:
    results: list = [None] * count
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            with app.app_context():
                start.wait(TIMEOUT)
                results[index] = work(index)
                db.session.remove()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not errors, errors
    return results


@pytest.mark.postgres
def test_racing_senders_claim_every_due_message_exactly_once(committed):
    with committed.app_context():
        event = _event(factories.customer().id)
        ids = _emails(event, MESSAGES, due=datetime.now(UTC) - timedelta(seconds=1))
        db.session.commit()

    def claim_all(index: int) -> list[int]:
        mine: list[int] = []
        while True:
            batch = delivery.claim_due(EmailMessage, f"sender-{index}", LEASE, 7)
            db.session.commit()
            if not batch:
                return mine
            mine.extend(batch)

    claimed = _run_together(committed, claim_all, SENDERS)
    every = [message_id for batch in claimed for message_id in batch]
    assert sorted(every) == sorted(ids)  # each claimed once: none twice, none left


@pytest.mark.postgres
def test_two_transactions_recording_one_fact_leave_one_event(committed):
    with committed.app_context():
        customer_id = factories.customer().id
        db.session.commit()

    def record(_index: int) -> str:
        event = _event(customer_id, key="invoice:raced")
        db.session.commit()
        return event.event_id

    ids = _run_together(committed, record, 2)
    with committed.app_context():
        rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.key == "invoice:raced")).all()
        assert len(rows) == 1 and set(ids) == {rows[0].event_id}
