"""What admin sees of the outbox (its pages and the API): counts by state, filtered lists newest first, one
e-mail with its event and attachments, one event with everything it became (the chart's counts per day
are outbox_daily's).

Lists read columns (outbox_entries), not rows: an e-mail's bodies, a rendered HTML page each, are read on
its own page only. Everything is read set-based: a list or a page is a fixed number of queries however many
rows it shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from daas.billing.models import CreditNote, Invoice, IssuedDocument
from daas.core.errors import Invalid, NotFound
from daas.extensions import db
from daas.notifications.models import (
    MESSAGE_STATES,
    EmailMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from daas.notifications.outbox_entries import (
    EVENT_DISPATCHED,
    EVENT_FAILED,
    EVENT_STATES,
    EVENT_WAITING,
    DeliveryEntry,
    EmailEntry,
    EventEntry,
    delivery_entry,
    delivery_rows,
    email_entry,
    email_rows,
    entry_values,
    event_state,
)
from daas.outbox.event_types import EVENT_NAMES
from daas.outbox.models import OutboxEvent


@dataclass(frozen=True)
class StatusCounts:
    pending: int = 0
    sent: int = 0
    failed: int = 0


@dataclass(frozen=True)
class OutboxSummary:
    emails: StatusCounts
    deliveries: StatusCounts
    events_waiting: int  # not fanned out yet
    events_failed: int  # fanned out with an error: no e-mail or delivery was made

    @property
    def needs_attention(self) -> bool:
        return bool(self.emails.failed or self.deliveries.failed or self.events_failed)


@dataclass(frozen=True)
class Attachment:
    """An issued document an e-mail attaches; `name` None when no such document exists."""

    document_id: int
    name: str | None
    format: str | None
    size: int | None
    invoice_id: int | None


@dataclass(frozen=True)
class EmailDetail(EmailEntry):
    text_body: str
    html_body: str
    attachments: list[Attachment]


@dataclass(frozen=True)
class DeliveryHistory:
    delivery: DeliveryEntry
    tries: list[WebhookAttempt]  # what each POST got, the first first


@dataclass(frozen=True)
class EventDetail:
    event: OutboxEvent
    emails: list[EmailEntry]
    deliveries: list[DeliveryHistory]

    @property
    def state(self) -> str:
        return event_state(self.event.dispatched_at, self.event.dispatch_error)


def _check(field: str, value: str | None, known: tuple[str, ...]) -> None:
    if value is not None and value not in known:
        raise Invalid.field(field, f"Must be one of: {', '.join(known)}.")


def _contains(column: Any, text: str) -> Any:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _page(query: Any, offset: int, limit: int) -> tuple[list[Any], int]:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(db.session.execute(query.offset(offset).limit(limit)).all()), total


def _status_counts(model: type[EmailMessage] | type[WebhookDelivery]) -> StatusCounts:
    found = dict(db.session.execute(select(model.status, func.count()).group_by(model.status)).all())
    return StatusCounts(**{status: found.get(status, 0) for status in MESSAGE_STATES})


def outbox_summary() -> OutboxSummary:
    """E-mails and deliveries by status, events waiting to be fanned out and those whose fan-out failed."""
    waiting, failed = db.session.execute(
        select(
            func.count(case((OutboxEvent.dispatched_at.is_(None), 1))),
            func.count(case((OutboxEvent.dispatch_error.is_not(None), 1))),
        )
    ).one()
    return OutboxSummary(_status_counts(EmailMessage), _status_counts(WebhookDelivery), waiting, failed)


def list_emails(
    status: str | None = None,
    event_type: str | None = None,
    customer_id: int | None = None,
    address: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[EmailEntry], int]:
    """E-mails, the newest first: of one status, of one event type, to one customer, or to an address
    containing `address` (any case); one page and the count of all."""
    _check("status", status, MESSAGE_STATES)
    _check("type", event_type, EVENT_NAMES)
    query = email_rows()
    if status is not None:
        query = query.where(EmailMessage.status == status)
    if event_type is not None:
        query = query.where(OutboxEvent.type == event_type)
    if customer_id is not None:
        query = query.where(EmailMessage.customer_id == customer_id)
    if address:
        query = query.where(_contains(EmailMessage.to_address, address))
    rows, total = _page(query.order_by(EmailMessage.id.desc()), offset, limit)
    return [email_entry(row) for row in rows], total


def list_deliveries(
    status: str | None = None,
    event_type: str | None = None,
    customer_id: int | None = None,
    url: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[DeliveryEntry], int]:
    """Webhook deliveries, the newest first: of one status, of one event type, of events about one
    customer, or to a URL containing `url` (any case); one page and the count of all."""
    _check("status", status, MESSAGE_STATES)
    _check("type", event_type, EVENT_NAMES)
    query = delivery_rows()
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if event_type is not None:
        query = query.where(OutboxEvent.type == event_type)
    if customer_id is not None:
        query = query.where(OutboxEvent.customer_id == customer_id)
    if url:
        query = query.where(_contains(WebhookEndpoint.url, url))
    rows, total = _page(query.order_by(WebhookDelivery.id.desc()), offset, limit)
    return [delivery_entry(row) for row in rows], total


def _count_of(model: type[EmailMessage] | type[WebhookDelivery]) -> Any:
    return select(func.count()).where(model.event_id == OutboxEvent.id).scalar_subquery()


def list_events(
    state: str | None = None,
    event_type: str | None = None,
    customer_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[EventEntry], int]:
    """Events, the newest first, with how many e-mails and deliveries each became: in one state
    (EVENT_STATES), of one type, about one customer; one page and the count of all."""
    _check("state", state, EVENT_STATES)
    _check("type", event_type, EVENT_NAMES)
    query = select(
        OutboxEvent.id,
        OutboxEvent.event_id,
        OutboxEvent.type,
        OutboxEvent.key,
        OutboxEvent.customer_id,
        OutboxEvent.created_at,
        OutboxEvent.dispatched_at,
        OutboxEvent.dispatch_error,
        _count_of(EmailMessage).label("emails"),
        _count_of(WebhookDelivery).label("deliveries"),
    )
    if state == EVENT_FAILED:
        query = query.where(OutboxEvent.dispatch_error.is_not(None))
    elif state == EVENT_WAITING:
        query = query.where(OutboxEvent.dispatched_at.is_(None), OutboxEvent.dispatch_error.is_(None))
    elif state == EVENT_DISPATCHED:
        query = query.where(OutboxEvent.dispatched_at.is_not(None), OutboxEvent.dispatch_error.is_(None))
    if event_type is not None:
        query = query.where(OutboxEvent.type == event_type)
    if customer_id is not None:
        query = query.where(OutboxEvent.customer_id == customer_id)
    rows, total = _page(query.order_by(OutboxEvent.id.desc()), offset, limit)
    return [EventEntry(**row._mapping) for row in rows], total


def _attachments(document_ids: list[int]) -> list[Attachment]:
    """The documents in the e-mail's order, named as their downloads are."""
    if not document_ids:
        return []
    found = {
        row.id: row
        for row in db.session.execute(
            select(
                IssuedDocument.id,
                IssuedDocument.format,
                func.length(IssuedDocument.content).label("size"),
                func.coalesce(Invoice.number, CreditNote.number).label("number"),
                func.coalesce(IssuedDocument.invoice_id, CreditNote.invoice_id).label("of_invoice"),
            )
            .outerjoin(Invoice, Invoice.id == IssuedDocument.invoice_id)
            .outerjoin(CreditNote, CreditNote.id == IssuedDocument.credit_note_id)
            .where(IssuedDocument.id.in_(document_ids))
        )
    }
    listed = []
    for document_id in document_ids:
        row = found.get(document_id)
        if row is None:
            listed.append(Attachment(document_id, None, None, None, None))
            continue
        suffix = {"pdf": ".pdf", "ubl": ".xml", "cii": "-cii.xml"}[row.format]
        listed.append(Attachment(document_id, f"{row.number}{suffix}", row.format, row.size, row.of_invoice))
    return listed


def email_detail(message_id: int) -> EmailDetail:
    """One e-mail with its bodies, the event it came from and the documents it attaches."""
    row = db.session.execute(
        email_rows()
        .add_columns(
            EmailMessage.text_body, EmailMessage.html_body, EmailMessage.attachments.label("documents")
        )
        .where(EmailMessage.id == message_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"No e-mail {message_id}.")
    values = entry_values(row)
    documents = values.pop("documents") or []
    return EmailDetail(**values, attachments=_attachments([int(document) for document in documents]))


def get_outbox_event(event_id: int) -> OutboxEvent:
    event = db.session.get(OutboxEvent, event_id)
    if event is None:
        raise NotFound(f"No event {event_id}.")
    return event


def event_detail(event_id: int) -> EventDetail:
    """One event with its e-mails and its deliveries, each delivery with what every POST of it got."""
    event = get_outbox_event(event_id)
    emails = db.session.execute(
        email_rows().where(EmailMessage.event_id == event_id).order_by(EmailMessage.id)
    ).all()
    deliveries = db.session.execute(
        delivery_rows().where(WebhookDelivery.event_id == event_id).order_by(WebhookDelivery.id)
    ).all()
    tries: dict[int, list[WebhookAttempt]] = defaultdict(list)
    for attempt in db.session.scalars(
        select(WebhookAttempt)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .where(WebhookDelivery.event_id == event_id)
        .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
    ):
        tries[attempt.delivery_id].append(attempt)
    return EventDetail(
        event,
        [email_entry(row) for row in emails],
        [DeliveryHistory(delivery_entry(row), tries.get(row.id, [])) for row in deliveries],
    )
