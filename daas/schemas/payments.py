"""Payment payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.core.identifiers import PAYMENT_METHOD_MAX_LENGTH, PAYMENT_METHOD_PATTERN
from daas.payments.models import EVENT_STATUSES, PAYMENT_METHODS
from daas.schemas.fields import Date, DecimalString, Money, Text


class PaymentMethodSchema(Schema):
    payment_method = fields.String(
        required=True,
        validate=[
            validate.Length(min=3, max=PAYMENT_METHOD_MAX_LENGTH),
            validate.Regexp(PAYMENT_METHOD_PATTERN),
        ],
        metadata={"description": "A Stripe PaymentMethod id, as Stripe.js returns it after a SetupIntent."},
    )


class PaymentProfileSchema(Schema):
    customer_id = fields.Integer()
    collection = fields.String(metadata={"enum": list(PAYMENT_METHODS), "title": "CollectionMethod"})
    card_brand = fields.String(allow_none=True)
    card_last4 = fields.String(allow_none=True)


class SetupIntentSchema(Schema):
    client_secret = fields.String()
    publishable_key = fields.String()
    stripe_js_url = fields.String()


class BankTransferSchema(Schema):
    amount = DecimalString(places=2, minimum=0, required=True)
    reference = Text(required=True, max_length=100, metadata={"description": "The bank's reference."})
    paid_on = Date(required=True)


class PaymentSchema(Schema):
    id = fields.Integer()
    invoice_id = fields.Integer()
    amount = Money()
    currency = fields.String()
    method = fields.String(metadata={"enum": list(PAYMENT_METHODS), "title": "CollectionMethod"})
    reference = fields.String()
    paid_on = fields.Date()


class PaymentAttemptSchema(Schema):
    number = fields.Integer()
    amount = Money()
    status = fields.String()
    stripe_payment_intent_id = fields.String(allow_none=True)
    failure_code = fields.String(allow_none=True)
    failure_message = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class RefundSchema(Schema):
    id = fields.Integer()
    credit_note_id = fields.Integer()
    amount = Money()
    status = fields.String()
    stripe_refund_id = fields.String(allow_none=True)


class WebhookReceivedSchema(Schema):
    received = fields.Boolean(metadata={"description": "Always true: the event is stored."})
    status = fields.String(
        metadata={
            "enum": list(EVENT_STATUSES),
            "title": "WebhookEventStatus",
            "description": "failed: processing it failed; daas tries it again itself (see /webhook-events).",
        }
    )
    outcome = fields.String(metadata={"description": "What the first attempt did."})


class WebhookEventQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(EVENT_STATUSES), metadata={"title": "WebhookEventStatus"})
    type = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,100}$"))
    given_up = fields.Boolean(metadata={"description": "Failed events no longer retried (or the others)."})


class WebhookEventSchema(Schema):
    id = fields.String()
    type = fields.String()
    object_id = fields.String(
        allow_none=True, metadata={"description": "The Stripe object the event is about (data.object.id)."}
    )
    status = fields.String(metadata={"enum": list(EVENT_STATUSES), "title": "WebhookEventStatus"})
    attempts = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "Why the last attempt failed."})
    received_at = fields.DateTime()
    last_attempt_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When daas tries it again; null once processed or given up."},
    )
    given_up = fields.Boolean(metadata={"description": "Failed after every attempt; retried only by hand."})
    processed_at = fields.DateTime(allow_none=True)


class WebhookEventRetrySchema(WebhookEventSchema):
    outcome = fields.String(metadata={"description": "What this attempt did."})
