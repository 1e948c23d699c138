"""REST: cards and Stripe customers, bank transfers, collection, and the Stripe webhook."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from daas.api.base import Blueprint
from daas.auth.access import access, current_principal
from daas.billing.invoices import get_invoice
from daas.billing.schemas import InvoiceSchema
from daas.errors import BadRequest
from daas.extensions import db
from daas.payments import services
from daas.payments.gateway import StripeSettings, verify_event
from daas.payments.schemas import (
    BankTransferSchema,
    PaymentMethodSchema,
    PaymentProfileSchema,
    PaymentSchema,
    SetupIntentSchema,
    WebhookReceivedSchema,
)
from daas.payments.webhooks import process_event, store_event

blp = Blueprint("payments", __name__, url_prefix="/api/v1", description="Cards, payments and Stripe webhooks")


def _stripe() -> StripeSettings:
    return StripeSettings.from_config(current_app.config)


def _policy() -> services.CollectionPolicy:
    return services.collection_policy(current_app.config)


@blp.route("/customers/<id:customer_id>/payment-method")
class CustomerPaymentMethod(MethodView):
    @access(blp, "finance", "customer")
    @blp.response(200, PaymentProfileSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, customer_id: int) -> Any:
        """How the customer pays: its default card, or bank transfer."""
        return services.payment_profile(customer_id, _stripe(), current_principal().customer_scope)

    @access(blp, "finance", "customer")
    @blp.arguments(PaymentMethodSchema)
    @blp.response(200, PaymentProfileSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Make a Stripe PaymentMethod the customer's default card (what the card page posts); open
        invoices are collected with it at once."""
        scope = current_principal().customer_scope
        services.save_payment_method(customer_id, data["payment_method"], _stripe(), scope)
        db.session.commit()
        services.collect_due(_policy(), invoice_ids=services.open_invoice_ids(customer_id))
        return services.payment_profile(customer_id, _stripe(), scope)


@blp.route("/customers/<id:customer_id>/setup-intent")
class CustomerSetupIntent(MethodView):
    @access(blp, "finance", "customer")
    @blp.response(201, SetupIntentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, customer_id: int) -> Any:
        """Start adding a card: a SetupIntent whose client secret Stripe.js confirms in the browser."""
        secret = services.start_card_setup(customer_id, _stripe(), current_principal().customer_scope)
        db.session.commit()
        config = current_app.config
        return {
            "client_secret": secret,
            "publishable_key": config["STRIPE_PUBLISHABLE_KEY"],
            "stripe_js_url": config["STRIPE_JS_URL"],
        }


@blp.route("/invoices/<id:invoice_id>/payments")
class InvoicePayments(MethodView):
    @access(blp, "finance")
    @blp.arguments(BankTransferSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], invoice_id: int) -> Any:
        """Record a bank transfer received for an invoice (the same reference twice records it once)."""
        payment, _ = services.record_bank_transfer(
            invoice_id, data["amount"], data["reference"], data["paid_on"], current_principal().actor
        )
        db.session.commit()
        return payment


@blp.route("/invoices/<id:invoice_id>/collect")
class InvoiceCollection(MethodView):
    @access(blp, "finance")
    @blp.response(200, InvoiceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, invoice_id: int) -> Any:
        """Try to collect an open invoice by card now, outside the retry schedule."""
        services.request_collection(invoice_id, _stripe())
        db.session.commit()
        services.collect_due(_policy(), invoice_ids=[invoice_id])
        return get_invoice(invoice_id)


@blp.route("/webhooks/stripe")
class StripeWebhook(MethodView):
    @blp.doc(security=[], requestBody={"content": {"application/json": {"schema": {"type": "object"}}}})
    @blp.response(200, WebhookReceivedSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    def post(self) -> Any:
        """Stripe events, signature checked with STRIPE_WEBHOOK_SECRET; stored by id, then processed."""
        try:
            event = verify_event(
                request.get_data(cache=True),
                request.headers.get("Stripe-Signature"),
                current_app.config["STRIPE_WEBHOOK_SECRET"],
            )
        except ValueError as error:
            raise BadRequest(
                "The webhook's signature does not check out; nothing was stored.",
                errors={"Stripe-Signature": [str(error)]},
            ) from error
        store_event(event)
        db.session.commit()
        return {"received": True, "outcome": process_event(event["id"], _policy())}
