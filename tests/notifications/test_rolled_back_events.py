"""An event whose transaction rolls back is never sent; the one beside it that commits is, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from daas.core.errors import Conflict
from daas.outbox.services import record_event
from daas.usecases.notifications import deliver_notifications
from daas.usecases.transaction import use_case
from tests import factories
from tests.notifications.conftest import sending_to


def _overdue(customer_id: int, number: str) -> None:
    record_event(
        "invoice.overdue",
        key=f"{number}:overdue:7",
        customer_id=customer_id,
        data={
            "invoice_id": 1,
            "number": number,
            "currency": "EUR",
            "amount_due": Decimal("47.19"),
            "due_date": date(2026, 11, 1),
            "days_overdue": 7,
        },
    )


def test_only_the_committed_event_reaches_the_billing_e_mail(database, today, smtp_server):
    customer = factories.customer(billing_email="ap@rollback.example", document_language="en")

    @use_case
    def remind(number: str, then_fail: bool) -> None:
        _overdue(customer.id, number)
        if then_fail:
            raise Conflict("The invoice was paid meanwhile.")

    remind("INV-2026-000101", then_fail=False)
    with pytest.raises(Conflict):
        remind("INV-2026-000102", then_fail=True)

    report = deliver_notifications("test", sending_to(smtp_server))
    again = deliver_notifications("test", sending_to(smtp_server))

    [message] = smtp_server.to("ap@rollback.example")
    assert "INV-2026-000101" in message["Subject"]
    assert (report.events, report.emails_sent, again.emails_sent) == (1, 1, 0)
