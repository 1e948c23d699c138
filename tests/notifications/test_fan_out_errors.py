"""An event that cannot be fanned out (its data does not fit its e-mail) is marked with its error, and the
events of the same round go out as usual."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from daas.extensions import db
from daas.notifications.models import EmailMessage
from daas.outbox.models import OutboxEvent
from daas.outbox.services import record_event
from daas.usecases.notifications import deliver_notifications
from tests import factories
from tests.notifications.conftest import sending_to


def _overdue(customer_id: int, number: str, data: dict | None = None) -> OutboxEvent:
    return record_event(
        "invoice.overdue",
        key=f"{number}:overdue:1",
        customer_id=customer_id,
        data=data
        if data is not None
        else {
            "invoice_id": 1,
            "number": number,
            "currency": "EUR",
            "amount_due": Decimal("47.19"),
            "due_date": date(2026, 11, 1),
            "days_overdue": 1,
        },
    )


def test_one_bad_event_is_marked_and_the_rest_of_its_round_goes_out(database, today, smtp_server):
    customer = factories.customer(billing_email="ap@fanout.example", document_language="en")
    before = _overdue(customer.id, "INV-2026-000201")
    broken = _overdue(customer.id, "INV-2026-000202", data={"number": "INV-2026-000202"})
    after = _overdue(customer.id, "INV-2026-000203")
    database.session.commit()

    report = deliver_notifications("test", sending_to(smtp_server))

    assert (report.events, report.events_failed, report.emails_sent) == (3, 1, 2)
    db.session.expire_all()
    assert db.session.get(OutboxEvent, broken.id).dispatch_error
    assert db.session.get(OutboxEvent, broken.id).dispatched_at is not None
    assert [db.session.get(OutboxEvent, e.id).dispatch_error for e in (before, after)] == [None, None]
    subjects = sorted(message["Subject"] for message in smtp_server.to("ap@fanout.example"))
    assert len(subjects) == 2
    assert "INV-2026-000201" in subjects[0] and "INV-2026-000203" in subjects[1]
    assert db.session.scalar(select(EmailMessage).where(EmailMessage.event_id == broken.id)) is None
