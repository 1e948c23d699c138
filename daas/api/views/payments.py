"""REST: cards and Stripe customers, bank transfers, collection, the Stripe webhook and its events."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.billing.invoices import get_invoice
from daas.payments import cards, webhooks
from daas.schemas.billing import InvoiceSchema
from daas.schemas.payments import (
    BankTransferSchema,
    PaymentMethodSchema,
    PaymentProfileSchema,
    PaymentSchema,
    SetupIntentSchema,
    WebhookEventQuerySchema,
    WebhookEventRetrySchema,
    WebhookEventSchema,
    WebhookReceivedSchema,
)
from daas.settings import current_settings
from daas.usecases import payments as use_cases

blp = Blueprint("payments", __name__, url_prefix="/api/v1", description="Cards, payments and Stripe webhooks")


@blp.route("/customers/<id:customer_id>/payment-method")
class CustomerPaymentMethod(MethodView):
    @access(blp, "finance", "customer")
    @blp.response(200, PaymentProfileSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, customer_id: int) -> Any:
        """How the customer pays: its default card, or bank transfer."""
        return cards.payment_profile(
            customer_id, current_settings().stripe, current_principal().customer_scope
        )

    @access(blp, "finance", "customer")
    @idempotent(blp)
    @blp.arguments(PaymentMethodSchema)
    @blp.response(200, PaymentProfileSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Make a Stripe PaymentMethod the customer's default card (what the card page posts); open
        invoices are collected with it at once."""
        scope = current_principal().customer_scope
        use_cases.save_card(customer_id, data["payment_method"], current_settings().collection, scope)
        return cards.payment_profile(customer_id, current_settings().stripe, scope)


@blp.route("/customers/<id:customer_id>/setup-intent")
class CustomerSetupIntent(MethodView):
    @access(blp, "finance", "customer")
    @blp.response(201, SetupIntentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, customer_id: int) -> Any:
        """Start adding a card: a SetupIntent whose client secret Stripe.js confirms in the browser."""
        secret = use_cases.start_card_setup(
            customer_id, current_settings().stripe, current_principal().customer_scope
        )
        settings = current_settings()
        return {
            "client_secret": secret,
            "publishable_key": settings.stripe_publishable_key,
            "stripe_js_url": settings.stripe_js_url,
        }


@blp.route("/invoices/<id:invoice_id>/payments")
class InvoicePayments(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(BankTransferSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], invoice_id: int) -> Any:
        """Record a bank transfer received for an invoice (the same reference twice records it once)."""
        payment, _ = use_cases.record_bank_transfer(
            invoice_id, data["amount"], data["reference"], data["paid_on"], current_principal().actor
        )
        return payment


@blp.route("/invoices/<id:invoice_id>/collect")
class InvoiceCollection(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.response(200, InvoiceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, invoice_id: int) -> Any:
        """Try to collect an open invoice by card now, outside the retry schedule."""
        use_cases.collect_invoice_now(invoice_id, current_settings().collection)
        return get_invoice(invoice_id)


# What the webhook reads of an event (webhooks.read_event); Stripe's events carry much more.
_EVENT_DOC = {
    "type": "object",
    "required": ["id", "type", "data"],
    "properties": {
        "id": {
            "type": "string",
            "pattern": f"^{webhooks.EVENT_ID.pattern}$",
            "example": "evt_1PxZ2aB3c4D5e6F7",
        },
        "type": {
            "type": "string",
            "pattern": f"^{webhooks.EVENT_TYPE.pattern}$",
            "example": "payment_intent.succeeded",
        },
        "data": {
            "type": "object",
            "required": ["object"],
            "properties": {"object": {"type": "object", "description": "The object the event is about."}},
        },
    },
}
_SIGNATURE_DOC = {
    "in": "header",
    "name": "Stripe-Signature",
    "required": True,
    "description": "Stripe's signature of the body with the endpoint's secret: `t=<unix time>,v1=<HMAC>`.",
    "schema": {
        "type": "string",
        "example": "t=1733043600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff",
    },
}


@blp.route("/webhooks/stripe")
class StripeWebhook(MethodView):
    @blp.doc(
        security=[],
        parameters=[_SIGNATURE_DOC],
        requestBody={"required": True, "content": {"application/json": {"schema": _EVENT_DOC}}},
    )
    @blp.response(200, WebhookReceivedSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    def post(self) -> Any:
        """Stripe events, signature checked with STRIPE_WEBHOOK_SECRET (timestamp within 5 minutes of now);
        stored by id, then processed. Answered 200 once stored, even when processing failed: daas tries a
        failed event again itself. 400, with nothing stored, for a bad signature or an event without
        `id`, `type` or `data.object`."""
        stored, outcome = use_cases.receive_webhook(
            request.get_data(cache=True),
            request.headers.get("Stripe-Signature"),
            current_settings().collection,
            current_settings().webhook_retries,
        )
        return {"received": True, "status": stored.status, "outcome": outcome}


@blp.route("/webhook-events")
class WebhookEvents(MethodView):
    @access(blp, "finance")
    @blp.arguments(WebhookEventQuerySchema, location="query")
    @blp.response(200, WebhookEventSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the Stripe events received, the latest first: `status=failed` for those whose processing
        failed, with the error, the attempts, the next try and whether daas gave up on them."""
        offset, limit = page_window(pagination_parameters)
        rows, pagination_parameters.item_count = webhooks.list_events(**args, offset=offset, limit=limit)
        return rows


@blp.route("/webhook-events/<string(maxlength=100):event_id>/retry")
class WebhookEventRetry(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.response(200, WebhookEventRetrySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, event_id: str) -> Any:
        """Process a failed (or given up) event once more, now; the answer says how it went. It counts as
        an attempt: one that fails again keeps its schedule, one given up stays given up. 409 for an
        event already processed."""
        stored, outcome = use_cases.retry_webhook_event(
            event_id, current_settings().collection, current_settings().webhook_retries
        )
        return {**{name: getattr(stored, name) for name in WebhookEventSchema().fields}, "outcome": outcome}
