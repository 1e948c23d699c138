"""Outbound webhook payloads (docs/webhooks.md).

- `url`: https, or http to a host inside DAAS_WEBHOOK_ALLOWED_NETWORKS; no user name or password, no
  fragment, at most 2000 characters. A URL the rules refuse is a 422 on `url`.
- `events`: the event types to listen for (each once), or `["*"]` alone for every type the owner may
  hear of; a customer's endpoint never the provider's own (staff) events. Else a 422 on `events`.
- `customer_id` on a create: admin names the customer whose endpoint it is, or none for the provider's
  own; a customer user's endpoints are its own (naming another customer is a 404).
- `secret` is in the answer of a create and of a rotation only: keep it then, it is never shown again.
- `status` on a PATCH: `disabled` stops deliveries (the pending ones are given up), `enabled` starts them
  again with the failing streak forgotten.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.notifications.models import ENDPOINT_STATES, MESSAGE_STATES
from daas.notifications.safe_http import MAX_URL_LENGTH
from daas.notifications.webhook_endpoints import ALL, MAX_DESCRIPTION_LENGTH
from daas.outbox.event_types import EVENT_NAMES
from daas.schemas.fields import Int, QueryId, Text

_ENDPOINT_STATUS = {"title": "WebhookEndpointStatus"}
_DELIVERY_STATUS = {"title": "WebhookDeliveryStatus"}
_EVENT_TYPE = {"title": "EventType"}
_LISTENED = {"title": "ListenedEventType"}
_ID = validate.Range(min=1, max=2**31 - 1)


def _url(**kwargs: object) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=MAX_URL_LENGTH),
        metadata={
            "format": "uri",
            "example": "https://hooks.example.com/daas",
            "description": "https, or http to the allowed networks; no credentials, no fragment.",
        },
        **kwargs,
    )


def _events(**kwargs: object) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf((ALL, *EVENT_NAMES)), metadata=_LISTENED),
        validate=validate.Length(min=1, max=len(EVENT_NAMES) + 1),
        metadata={
            "example": ["invoice.issued", "payment.failed"],
            "description": 'Event types to listen for, or ["*"] alone for all.',
        },
        **kwargs,
    )


class WebhookEndpointCreateSchema(Schema):
    customer_id = Int(
        validate=_ID,
        metadata={"description": "Admin: the customer's endpoint, or left out the provider's own."},
    )
    url = _url(required=True)
    events = _events(required=True)
    description = Text(max_length=MAX_DESCRIPTION_LENGTH, allow_none=True)


class WebhookEndpointUpdateSchema(Schema):
    url = _url()
    events = _events()
    description = Text(max_length=MAX_DESCRIPTION_LENGTH, allow_none=True)
    status = fields.String(validate=validate.OneOf(ENDPOINT_STATES), metadata=_ENDPOINT_STATUS)


class WebhookEndpointQuerySchema(Schema):
    customer_id = QueryId(metadata={"description": "Admin: one customer's endpoints."})
    provider = fields.Boolean(metadata={"description": "Admin: the provider's own endpoints only."})


class WebhookEndpointSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer(allow_none=True, metadata={"description": "Null: the provider's own."})
    url = fields.String()
    description = fields.String(allow_none=True)
    events = fields.List(fields.String(metadata=_LISTENED), attribute="event_types")
    status = fields.String(metadata={"enum": list(ENDPOINT_STATES), **_ENDPOINT_STATUS})
    failing_since = fields.DateTime(
        allow_none=True, metadata={"description": "The first failure since the last success."}
    )
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class WebhookEndpointSecretSchema(WebhookEndpointSchema):
    secret = fields.String(
        metadata={
            "description": "Signs every delivery (Daas-Signature). Shown in this answer only.",
            "example": "whsec_3kq...",
        }
    )


class WebhookAttemptSchema(Schema):
    attempted_at = fields.DateTime()
    status_code = fields.Integer(allow_none=True, metadata={"description": "Null: no HTTP answer."})
    response_excerpt = fields.String(allow_none=True, metadata={"description": "The answer's start."})
    error = fields.String(allow_none=True, metadata={"description": "Why no answer came."})
    duration_ms = fields.Integer()


class WebhookDeliverySchema(Schema):
    id = fields.Integer()
    endpoint_id = fields.Integer()
    event_id = fields.String(metadata={"description": "The body's `id`: apply each once."})
    event_type = fields.String(metadata={"enum": list(EVENT_NAMES), **_EVENT_TYPE})
    status = fields.String(metadata={"enum": list(MESSAGE_STATES), **_DELIVERY_STATUS})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "Null unless pending."})
    sent_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    attempt_log = fields.List(fields.Nested(WebhookAttemptSchema), metadata={"description": "Oldest first."})


class EventQuerySchema(Schema):
    type = fields.String(validate=validate.OneOf(EVENT_NAMES), metadata=_EVENT_TYPE)
    customer_id = QueryId(metadata={"description": "Admin: one customer's events."})


class EventSchema(Schema):
    """An event as its webhook deliveries carry it."""

    id = fields.String(metadata={"example": "evt_5f1c0a9d3b2e4f6a7c8d9e0f"})
    type = fields.String(metadata={"enum": list(EVENT_NAMES), **_EVENT_TYPE})
    created = fields.Integer(metadata={"description": "Unix seconds."})
    data = fields.Dict(metadata={"description": "The event type's fields (docs/webhooks.md)."})
