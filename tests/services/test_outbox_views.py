"""What admin reads of the outbox: the counts, lists and pages match the rows the channels left, the
filters pick what they say, the chart counts each UTC day's rows, and every read is a fixed number of
queries however many rows there are. Resending, replaying and retrying a fan-out through their use cases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine

from daas.billing.models import IssuedDocument
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.extensions import db
from daas.notifications import outbox_daily, outbox_views
from daas.notifications.models import FAILED, PENDING, SENT
from daas.usecases.notifications import redispatch_event, replay_webhook_delivery, resend_email
from tests import factories
from tests import outbox_helpers as rows
from tests.billing_helpers import bill, finalize_run
from tests.conftest import ON_POSTGRES

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen(database: Any) -> Iterator[datetime]:
    with clock.frozen(NOW):
        yield NOW


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_the_summary_counts_each_state(frozen) -> None:
    customer = factories.customer()
    hook = rows.endpoint(customer.id)
    for status in (PENDING, PENDING, SENT, SENT, SENT, FAILED):
        issued = rows.dispatched(rows.invoice_issued(customer.id))
        rows.email(issued, status=status)
    for status, answers in ((PENDING, ()), (SENT, (200,)), (FAILED, (500, None)), (FAILED, (502,))):
        rows.delivery(rows.dispatched(rows.invoice_issued(customer.id)), hook, status, answers=answers)
    rows.invoice_issued(customer.id)  # not fanned out yet
    rows.dispatched(rows.job_failed(), error="TemplateError: 'total' is undefined")

    summary = outbox_views.outbox_summary()

    assert (summary.emails.pending, summary.emails.sent, summary.emails.failed) == (2, 3, 1)
    assert (summary.deliveries.pending, summary.deliveries.sent, summary.deliveries.failed) == (1, 1, 2)
    assert (summary.events_waiting, summary.events_failed) == (1, 1)
    assert summary.needs_attention


def test_nothing_failed_needs_no_attention(frozen) -> None:
    rows.email(rows.dispatched(rows.invoice_issued(factories.customer().id)), status=SENT)
    assert not outbox_views.outbox_summary().needs_attention


def test_the_e_mails_are_listed_newest_first_and_filtered(frozen) -> None:
    amsterdam, rotterdam = factories.customer(name="Amsterdam BV"), factories.customer(name="Rotterdam BV")
    first = rows.email(rows.invoice_issued(amsterdam.id), "AP@Amsterdam.example", SENT)
    second = rows.email(rows.invoice_issued(rotterdam.id), "ap@rotterdam.example", FAILED)
    third = rows.email(rows.invoice_issued(amsterdam.id), "it_desk@amsterdam.example", PENDING)
    staff = rows.email(rows.job_failed(), "ops@daas.example", FAILED)

    def ids(**filters: Any) -> list[int]:
        found, total = outbox_views.list_emails(**filters)
        assert total == len(found)
        return [entry.id for entry in found]

    assert ids() == [staff.id, third.id, second.id, first.id]
    assert ids(status=FAILED) == [staff.id, second.id]
    assert ids(event_type="job.failed") == [staff.id]
    assert ids(customer_id=amsterdam.id) == [third.id, first.id]
    assert ids(address="amsterdam") == [third.id, first.id]  # any case
    assert ids(address="_desk") == [third.id]  # an underscore is itself, not any character
    assert ids(address="%") == []
    assert ids(status=FAILED, customer_id=rotterdam.id) == [second.id]

    page, total = outbox_views.list_emails(offset=1, limit=2)
    assert ([entry.id for entry in page], total) == ([third.id, second.id], 4)
    entry = page[1]
    assert (entry.to_address, entry.status, entry.attempts, entry.last_error) == (
        "ap@rotterdam.example",
        FAILED,
        6,
        "554 5.7.1 Relay denied",
    )
    assert (entry.event.type, entry.event.customer_id) == ("invoice.issued", rotterdam.id)
    assert entry.event.event_id.startswith("evt_")


def test_the_deliveries_are_listed_with_their_endpoint_and_filtered(frozen) -> None:
    customer, other = factories.customer(), factories.customer()
    erp = rows.endpoint(customer.id, "https://erp.example.com/hooks/daas")
    ours = rows.endpoint(None, "https://ops.daas.example/events")
    sent = rows.delivery(rows.invoice_issued(customer.id), erp, SENT, answers=(200,))
    failed = rows.delivery(rows.invoice_issued(customer.id), erp, FAILED, answers=(500, 502))
    staff = rows.delivery(rows.job_failed(), ours, PENDING)
    foreign = rows.delivery(rows.invoice_issued(other.id), ours, FAILED, answers=(None,))

    def ids(**filters: Any) -> list[int]:
        return [entry.id for entry in outbox_views.list_deliveries(**filters)[0]]

    assert ids() == [foreign.id, staff.id, failed.id, sent.id]
    assert ids(status=FAILED) == [foreign.id, failed.id]
    assert ids(url="ERP.example") == [failed.id, sent.id]
    assert ids(customer_id=customer.id) == [failed.id, sent.id]  # the events about the customer
    assert ids(event_type="job.failed") == [staff.id]
    [entry] = outbox_views.list_deliveries(status=FAILED, customer_id=customer.id)[0]
    assert (entry.url, entry.endpoint_customer_id, entry.attempts, entry.last_status_code) == (
        "https://erp.example.com/hooks/daas",
        customer.id,
        2,
        502,
    )


def test_the_events_are_listed_with_what_each_became(frozen) -> None:
    customer = factories.customer()
    hook = rows.endpoint(customer.id)
    issued = rows.dispatched(rows.invoice_issued(customer.id))
    rows.email(issued, "ap@example.com", SENT)
    rows.email(issued, "cfo@example.com", SENT)
    rows.delivery(issued, hook, SENT, answers=(200,))
    waiting = rows.invoice_issued(customer.id)
    broken = rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")

    found, total = outbox_views.list_events()
    assert total == 3
    assert [(e.id, e.state, e.emails, e.deliveries) for e in found] == [
        (broken.id, "failed", 0, 0),
        (waiting.id, "waiting", 0, 0),
        (issued.id, "dispatched", 2, 1),
    ]
    assert [e.id for e in outbox_views.list_events(state="failed")[0]] == [broken.id]
    assert [e.id for e in outbox_views.list_events(state="waiting")[0]] == [waiting.id]
    assert [e.id for e in outbox_views.list_events(state="dispatched")[0]] == [issued.id]
    assert [e.id for e in outbox_views.list_events(customer_id=customer.id)[0]] == [waiting.id, issued.id]
    assert [e.id for e in outbox_views.list_events(event_type="job.failed")[0]] == [broken.id]


@pytest.mark.parametrize(
    ("read", "field", "filters"),
    [
        (outbox_views.list_emails, "status", {"status": "bounced"}),
        (outbox_views.list_deliveries, "status", {"status": "SENT"}),
        (outbox_views.list_emails, "type", {"event_type": "invoice.paid"}),
        (outbox_views.list_events, "state", {"state": "pending"}),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_its_field(database, read, field, filters) -> None:
    with pytest.raises(Invalid) as refused:
        read(**filters)
    assert list(refused.value.errors) == [field]


def test_an_e_mail_is_shown_with_its_bodies_its_event_and_its_attachments(frozen) -> None:
    contract = factories.contract()
    deploy_device(contract.id, factories.device().serial, datetime(2026, 2, 1).date(), "tests")
    finalize_run(bill().id)
    documents = list(db.session.scalars(select(IssuedDocument).order_by(IssuedDocument.id)))
    assert [document.format for document in documents] == ["pdf", "ubl", "cii"]
    issued = rows.invoice_issued(contract.customer_id, documents=tuple(d.id for d in documents))
    message = rows.email(
        issued,
        status=SENT,
        html_body="<p>Hi <script>alert(1)</script></p>",
        attachments=[documents[0].id, 999_999],
    )

    detail = outbox_views.email_detail(message.id)

    assert (detail.subject, detail.html_body, detail.status) == (message.subject, message.html_body, SENT)
    assert detail.text_body.startswith("Hello,")
    assert (detail.event.id, detail.event.key) == (issued.id, issued.key)
    pdf, missing = detail.attachments
    assert pdf.name.endswith(".pdf") and pdf.name.startswith("INV-")
    assert (pdf.format, pdf.size, pdf.invoice_id) == (
        "pdf",
        len(documents[0].content),
        documents[0].invoice_id,
    )
    assert (missing.document_id, missing.name) == (999_999, None)
    with pytest.raises(NotFound):
        outbox_views.email_detail(message.id + 1000)


def test_an_event_is_shown_with_its_e_mails_and_each_delivery_with_its_attempts(frozen) -> None:
    customer = factories.customer()
    issued = rows.dispatched(rows.invoice_issued(customer.id))
    mail = rows.email(issued, status=SENT)
    first = rows.delivery(
        issued, rows.endpoint(customer.id, "https://a.example/h"), FAILED, answers=(None, 500, 503)
    )
    second = rows.delivery(issued, rows.endpoint(None, "https://b.example/h"), SENT, answers=(200,))
    rows.delivery(rows.invoice_issued(customer.id), rows.endpoint(None), FAILED, answers=(500,))  # another's

    detail = outbox_views.event_detail(issued.id)

    assert detail.state == "dispatched"
    assert [email.id for email in detail.emails] == [mail.id]
    assert [entry.delivery.id for entry in detail.deliveries] == [first.id, second.id]
    assert [attempt.status_code for attempt in detail.deliveries[0].tries] == [None, 500, 503]
    assert detail.deliveries[0].tries[0].error.startswith("ConnectionRefusedError")
    assert [attempt.status_code for attempt in detail.deliveries[1].tries] == [200]
    with pytest.raises(NotFound):
        outbox_views.event_detail(issued.id + 1000)


def _many(customer_id: int, n: int) -> None:
    hook = rows.endpoint(customer_id)
    for _ in range(n):
        issued = rows.dispatched(rows.invoice_issued(customer_id))
        rows.email(issued, status=FAILED)
        rows.delivery(issued, hook, FAILED, answers=(500, 500))


def test_every_read_is_a_fixed_number_of_queries_however_many_rows(frozen) -> None:
    customer = factories.customer()

    def statements() -> list[int]:
        issued = outbox_views.list_events()[0][-1].id
        counts = []
        for read in (
            outbox_views.outbox_summary,
            outbox_views.list_emails,
            outbox_views.list_deliveries,
            outbox_views.list_events,
            lambda: outbox_views.event_detail(issued),
            lambda: outbox_daily.sent_and_failed_per_day(NOW.date()),
        ):
            with counted_statements() as run:
                read()
            counts.append(len(run))
        return counts

    _many(customer.id, 1)
    few = statements()
    _many(customer.id, 12)
    assert statements() == few, few
    assert few[-1] == 4  # the chart: e-mails and deliveries, sent and failed, each one grouped count


def test_the_chart_counts_each_utc_day_s_rows(frozen) -> None:
    if ON_POSTGRES:  # a session far from UTC: its date() of a moment would be another day
        db.session.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))
    customer = factories.customer()
    hook = rows.endpoint(customer.id)
    today = NOW.date()
    midnight = datetime(2026, 11, 15, tzinfo=UTC)
    sent_at = [midnight, midnight - timedelta(seconds=1), midnight - timedelta(days=3, hours=5), NOW]
    for moment in sent_at:
        rows.email(rows.invoice_issued(customer.id), status=SENT, at=moment)
    rows.email(rows.invoice_issued(customer.id), status=FAILED, at=midnight - timedelta(days=29))
    rows.email(rows.invoice_issued(customer.id), status=SENT, at=midnight - timedelta(days=30))  # too old
    rows.email(rows.invoice_issued(customer.id), status=PENDING, at=NOW)  # neither sent nor failed
    rows.delivery(rows.invoice_issued(customer.id), hook, SENT, at=NOW, answers=(200,))
    rows.delivery(
        rows.invoice_issued(customer.id), hook, FAILED, at=midnight - timedelta(hours=2), answers=(500,)
    )

    chart = outbox_daily.sent_and_failed_per_day(today)

    assert len(chart.days) == 30 and (chart.days[0], chart.days[-1]) == (today - timedelta(days=29), today)
    by_day = {
        day: (
            chart.emails_sent[n],
            chart.emails_failed[n],
            chart.deliveries_sent[n],
            chart.deliveries_failed[n],
        )
        for n, day in enumerate(chart.days)
        if chart.emails_sent[n]
        or chart.emails_failed[n]
        or chart.deliveries_sent[n]
        or chart.deliveries_failed[n]
    }
    assert by_day == {
        today - timedelta(days=29): (0, 1, 0, 0),
        today - timedelta(days=4): (1, 0, 0, 0),
        today - timedelta(days=1): (1, 0, 0, 1),
        today: (2, 0, 1, 0),
    }


def test_resend_makes_a_failed_e_mail_pending_now_with_every_retry_ahead(frozen) -> None:
    message = rows.email(
        rows.invoice_issued(factories.customer().id), status=FAILED, at=NOW - timedelta(days=2)
    )

    resend_email(message.id)

    [entry] = outbox_views.list_emails()[0]
    assert (entry.status, entry.attempts, entry.next_attempt_at) == (PENDING, 0, NOW)
    assert outbox_views.outbox_summary().emails.failed == 0


def test_replay_makes_a_failed_delivery_pending_with_its_event(frozen) -> None:
    customer = factories.customer()
    issued = rows.invoice_issued(customer.id)
    failed = rows.delivery(
        issued, rows.endpoint(customer.id), FAILED, at=NOW - timedelta(days=3), answers=(500,)
    )

    replay_webhook_delivery(failed.id)

    [entry] = outbox_views.list_deliveries()[0]
    assert (entry.status, entry.attempts, entry.next_attempt_at, entry.event.id) == (
        PENDING,
        0,
        NOW,
        issued.id,
    )


def test_a_failed_fan_out_is_retried_and_one_without_error_refused(frozen) -> None:
    broken = rows.dispatched(rows.job_failed(), error="KeyError: 'run_id'")
    fine = rows.dispatched(rows.invoice_issued(factories.customer().id))

    redispatch_event(broken.id)

    assert outbox_views.event_detail(broken.id).state == "waiting"
    assert outbox_views.outbox_summary().events_failed == 0
    with pytest.raises(Conflict):
        redispatch_event(fine.id)
