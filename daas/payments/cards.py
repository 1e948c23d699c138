"""A customer's payment profile: their Stripe customer, the card saved on it, and how they pay.

Kept apart from collecting (daas.payments.collection) because saving a card is a customer's own step,
taken from the card page or the API, while collection is the payments job's round; collection only asks
this module whether a customer pays by card (`collection_method_for`).

Every function here flushes but never commits or rolls back: the use case decides.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select, update

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.models import Invoice
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.customers.models import Customer
from daas.extensions import db
from daas.payments import gateway
from daas.payments.gateway import GatewayUnavailable, PaymentDeclined, StripeSettings
from daas.payments.models import BANK_TRANSFER, CARD, PaymentProfile


def get_profile(customer_id: int) -> PaymentProfile:
    profile = db.session.get(PaymentProfile, customer_id)
    if profile is None:
        profile = PaymentProfile(customer_id=customer_id)
        db.session.add(profile)
        db.session.flush()
    return profile


def _customer(customer_id: int, customer_scope: int | None) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None or (customer_scope is not None and customer.id != customer_scope):
        raise NotFound(f"No customer {customer_id}.")
    return customer


def require_stripe(settings: StripeSettings) -> None:
    if not settings.enabled:
        raise Conflict(
            "Card payments are not configured (no STRIPE_API_KEY): invoices are paid by bank transfer.",
            errors={"payment_method": ["Stripe is not configured."]},
        )


def ensure_stripe_customer(
    customer_id: int, settings: StripeSettings, customer_scope: int | None = None
) -> str:
    customer = _customer(customer_id, customer_scope)
    require_stripe(settings)
    profile = get_profile(customer.id)
    try:
        profile.stripe_customer_id = gateway.ensure_customer(settings, profile.stripe_customer_id, customer)
    except GatewayUnavailable as error:
        raise Conflict(f"Stripe is unavailable: {error}") from error
    db.session.flush()
    return profile.stripe_customer_id


def start_card_setup(customer_id: int, settings: StripeSettings, customer_scope: int | None = None) -> str:
    """The client secret of a SetupIntent, for the card page's Stripe.js."""
    stripe_customer = ensure_stripe_customer(customer_id, settings, customer_scope)
    try:
        return gateway.create_setup_intent(settings, stripe_customer)
    except GatewayUnavailable as error:
        raise Conflict(f"Stripe is unavailable: {error}") from error


def save_payment_method(
    customer_id: int, payment_method: str, settings: StripeSettings, customer_scope: int | None = None
) -> PaymentProfile:
    """Make a Stripe PaymentMethod the customer's default; open invoices then collect by card, and those
    whose card failed are tried again at once with the new one."""
    stripe_customer = ensure_stripe_customer(customer_id, settings, customer_scope)
    try:
        brand, last4 = gateway.set_default_payment_method(settings, stripe_customer, payment_method)
    except PaymentDeclined as declined:
        raise Invalid.field("payment_method", f"The card was refused: {declined.message}") from declined
    except GatewayUnavailable as error:
        raise Conflict(f"Stripe is unavailable: {error}") from error
    profile = get_profile(customer_id)
    profile.default_payment_method, profile.card_brand, profile.card_last4 = payment_method, brand, last4
    db.session.execute(
        update(Invoice)
        .where(Invoice.customer_id == customer_id, Invoice.status == lifecycle.OPEN, Invoice.amount_due > 0)
        .values(collection_method=CARD, next_collection_at=clock.now())
    )
    db.session.flush()
    return profile


def payment_profile(
    customer_id: int, settings: StripeSettings, customer_scope: int | None = None
) -> dict[str, Any]:
    """How a customer pays, as the API shows it."""
    customer = _customer(customer_id, customer_scope)
    profile = db.session.get(PaymentProfile, customer.id)
    return {
        "customer_id": customer.id,
        "collection": collection_method_for(customer.id, settings),
        "card_brand": profile.card_brand if profile else None,
        "card_last4": profile.card_last4 if profile else None,
    }


def card_customers(settings: StripeSettings, customer_ids: Collection[int]) -> set[int]:
    """Which of these customers are collected by card (Stripe configured, a default card on file): what
    an invoice issued to them names as its means of payment."""
    if not settings.enabled or not customer_ids:
        return set()
    return set(
        db.session.scalars(
            select(PaymentProfile.customer_id).where(
                PaymentProfile.customer_id.in_(list(customer_ids)),
                PaymentProfile.default_payment_method.is_not(None),
                PaymentProfile.default_payment_method != "",
            )
        )
    )


def collection_method_for(customer_id: int, settings: StripeSettings) -> str:
    profile = db.session.get(PaymentProfile, customer_id)
    if settings.enabled and profile is not None and profile.default_payment_method:
        return CARD
    return BANK_TRANSFER
