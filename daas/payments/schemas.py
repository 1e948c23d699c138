"""Payment payloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.api.fields import Date, DecimalString, Money, Text


class PaymentMethodSchema(Schema):
    payment_method = fields.String(
        required=True,
        validate=[validate.Length(min=3, max=64), validate.Regexp(r"^pm_[A-Za-z0-9_]+$")],
        metadata={"description": "A Stripe PaymentMethod id, as Stripe.js returns it after a SetupIntent."},
    )


class PaymentProfileSchema(Schema):
    customer_id = fields.Integer()
    collection = fields.String(metadata={"enum": ["card", "bank_transfer"]})
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
    method = fields.String(metadata={"enum": ["card", "bank_transfer"]})
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
    received = fields.Boolean()
    outcome = fields.String()
