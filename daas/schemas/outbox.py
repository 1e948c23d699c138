"""Outbox payloads (admin): counts by state, e-mails with their bodies, webhook deliveries, and the event
each came from."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.billing.models import DOCUMENT_FORMATS
from daas.notifications.models import MESSAGE_STATES
from daas.notifications.outbox_entries import EVENT_STATES, event_state
from daas.notifications.policy import MAIL_BACKENDS
from daas.outbox.event_types import EVENT_NAMES
from daas.schemas.fields import QueryId, Text

STATUS = {"enum": list(MESSAGE_STATES), "title": "OutboxStatus"}
EVENT_TYPE = {"enum": list(EVENT_NAMES), "title": "OutboxEventType"}


class OutboxStatusCountsSchema(Schema):
    pending = fields.Integer(metadata={"description": "To be sent (or retried) by the next delivery rounds."})
    sent = fields.Integer()
    failed = fields.Integer(metadata={"description": "Given up after the last retry: resend or replay it."})


class OutboxSummarySchema(Schema):
    emails = fields.Nested(OutboxStatusCountsSchema)
    deliveries = fields.Nested(OutboxStatusCountsSchema, metadata={"description": "Webhook deliveries."})
    events_waiting = fields.Integer(metadata={"description": "Events not fanned out yet."})
    events_failed = fields.Integer(
        metadata={"description": "Events whose fan-out failed (no e-mail or delivery made): redispatch them."}
    )
    mail_backend = fields.String(
        metadata={
            "enum": list(MAIL_BACKENDS),
            "title": "MailBackend",
            "description": "`catch`: e-mails are kept in daas, marked sent, and never leave it.",
        }
    )


class OutboxEmailQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(MESSAGE_STATES), metadata={"title": "OutboxStatus"})
    type = fields.String(
        validate=validate.OneOf(EVENT_NAMES),
        metadata={"title": "OutboxEventType", "description": "The type of the event the e-mail tells of."},
    )
    customer_id = QueryId()
    address = Text(max_length=254, metadata={"description": "Addresses containing this text (any case)."})


class OutboxDeliveryQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(MESSAGE_STATES), metadata={"title": "OutboxStatus"})
    type = fields.String(validate=validate.OneOf(EVENT_NAMES), metadata={"title": "OutboxEventType"})
    customer_id = QueryId(metadata={"description": "Deliveries of events about this customer."})
    url = Text(max_length=2000, metadata={"description": "Endpoint URLs containing this text (any case)."})


class OutboxEventRefSchema(Schema):
    id = fields.Integer(metadata={"description": "What POST /api/v1/outbox/events/{id}/redispatch takes."})
    event_id = fields.String(metadata={"description": "The id webhook receivers see (evt_...)."})
    type = fields.String(metadata=EVENT_TYPE)
    key = fields.String(metadata={"description": "The fact it is about (recorded once per type and key)."})
    customer_id = fields.Integer(allow_none=True, metadata={"description": "Null: a staff event."})
    created_at = fields.DateTime()


class _SendableSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata=STATUS)
    attempts = fields.Integer(metadata={"description": "Attempts since it was made (or last resent)."})
    next_attempt_at = fields.DateTime(
        metadata={"description": "When a pending one is tried next (for a failed one: its last try)."}
    )
    last_error = fields.String(allow_none=True, metadata={"description": "Why the last attempt failed."})
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    event = fields.Nested(OutboxEventRefSchema)


class OutboxEmailSchema(_SendableSchema):
    customer_id = fields.Integer(allow_none=True)
    to_address = fields.String()
    language = fields.String()
    subject = fields.String()


class OutboxAttachmentSchema(Schema):
    document_id = fields.Integer(metadata={"description": "The issued document attached."})
    name = fields.String(allow_none=True, metadata={"description": "Its file name; null: no such document."})
    format = fields.String(
        allow_none=True, metadata={"enum": list(DOCUMENT_FORMATS), "title": "OutboxAttachmentFormat"}
    )
    size = fields.Integer(allow_none=True, metadata={"description": "Bytes."})
    invoice_id = fields.Integer(
        allow_none=True, metadata={"description": "Its invoice (a credit note's: the invoice it credits)."}
    )


class OutboxEmailDetailSchema(OutboxEmailSchema):
    text_body = fields.String()
    html_body = fields.String(metadata={"description": "The HTML as sent: show it sandboxed, never inline."})
    attachments = fields.List(fields.Nested(OutboxAttachmentSchema))


class OutboxDeliverySchema(_SendableSchema):
    endpoint_id = fields.Integer()
    url = fields.String()
    endpoint_customer_id = fields.Integer(
        allow_none=True, metadata={"description": "Whose endpoint it is; null: the provider's own."}
    )
    last_status_code = fields.Integer(allow_none=True)


class OutboxEventSchema(Schema):
    id = fields.Integer()
    event_id = fields.String()
    type = fields.String(metadata=EVENT_TYPE)
    key = fields.String(metadata={"description": "The fact it is about (recorded once per type and key)."})
    customer_id = fields.Integer(allow_none=True)
    data = fields.Dict(metadata={"description": "The body webhooks carry."})
    created_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True, metadata={"description": "Null: not fanned out yet."})
    dispatch_error = fields.String(allow_none=True, metadata={"description": "Why fanning it out failed."})
    state = fields.Function(
        lambda event: event_state(event.dispatched_at, event.dispatch_error),
        metadata={
            "type": "string",
            "enum": list(EVENT_STATES),
            "title": "OutboxEventState",
            "description": "waiting: not fanned out yet; failed: its fan-out failed (see dispatch_error).",
        },
    )
