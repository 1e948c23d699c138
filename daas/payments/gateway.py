"""The Stripe calls daas makes, through the official `stripe` library, and nothing else.

Every call that moves money carries an idempotency key and metadata naming the daas record it belongs
to, but correctness never rests on idempotency keys (localstripe ignores them): callers record their
intent first and, after an unclear outcome, look up what Stripe already has before trying again.
Network retries inside the library are off for the same reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe

from daas.core import money


@dataclass(frozen=True)
class StripeSettings:
    api_key: str
    api_base: str
    webhook_secret: str

    @property
    def enabled(self) -> bool:
        return bool(self.api_key)


class GatewayUnavailable(Exception):
    """Stripe could not be reached, or answered with an error that says nothing about the payment."""


class GatewayRefused(Exception):
    """Stripe refused the request itself (an unknown object, a bad parameter, a key without the right):
    asking again unchanged gets the same answer."""

    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"Stripe answered {status or 'an error'}: {message}")
        self.status, self.message = status, message


class BadSignature(ValueError):
    """A webhook's Stripe-Signature header does not prove that Stripe sent it, now."""


class PaymentDeclined(Exception):
    def __init__(self, code: str | None, message: str, charge_id: str | None) -> None:
        super().__init__(message)
        self.code, self.message, self.charge_id = code, message, charge_id


def _client(settings: StripeSettings) -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.api_key, base_addresses={"api": settings.api_base}, max_network_retries=0
    )


def minor_units(amount: Decimal, currency: str) -> int:
    """Stripe counts in the currency's smallest unit: 605.00 EUR is 60500, 4200 JPY is 4200."""
    return int(money.round_money(amount, currency).scaleb(money.exponent(currency)))


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call Stripe; answers come back as plain dicts (the library's objects are not dicts any more)."""
    try:
        answer = function(*args, **kwargs)
        return answer.to_dict() if hasattr(answer, "to_dict") else answer
    except stripe.CardError as error:
        body = error.json_body.get("error", {}) if isinstance(error.json_body, dict) else {}
        raise PaymentDeclined(
            error.code or body.get("code"), error.user_message or str(error), body.get("charge")
        ) from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        raise GatewayUnavailable(str(error)) from error
    except stripe.StripeError as error:
        raise GatewayRefused(error.http_status, error.user_message or str(error)) from error


def ensure_customer(settings: StripeSettings, stripe_customer_id: str | None, customer: Any) -> str:
    """The Stripe customer of a daas customer, created the first time, its name and e-mail kept current."""
    params = {"name": customer.name, "email": customer.billing_email}
    client = _client(settings)
    if stripe_customer_id:
        _call(client.v1.customers.update, stripe_customer_id, params=params)
        return stripe_customer_id
    created = _call(
        client.v1.customers.create,
        params={**params, "metadata": {"daas_customer_id": str(customer.id)}},
        options={"idempotency_key": f"daas-customer-{customer.id}"},
    )
    return created["id"]


def set_default_payment_method(
    settings: StripeSettings, stripe_customer_id: str, payment_method: str
) -> tuple[str, str]:
    """Attach a PaymentMethod to the customer and make it the default; (brand, last4) of its card."""
    client = _client(settings)
    method = _call(client.v1.payment_methods.retrieve, payment_method)
    if method.get("customer") != stripe_customer_id:
        method = _call(
            client.v1.payment_methods.attach, payment_method, params={"customer": stripe_customer_id}
        )
    _call(
        client.v1.customers.update,
        stripe_customer_id,
        params={"invoice_settings": {"default_payment_method": payment_method}},
    )
    card = method.get("card") or {}
    return str(card.get("brand") or "card"), str(card.get("last4") or "")


def create_setup_intent(settings: StripeSettings, stripe_customer_id: str) -> str:
    """A SetupIntent for the card page; its client secret lets Stripe.js collect and confirm a card."""
    intent = _call(
        _client(settings).v1.setup_intents.create,
        params={"customer": stripe_customer_id, "usage": "off_session"},
    )
    return intent["client_secret"]


def charge_off_session(
    settings: StripeSettings,
    *,
    amount: Decimal,
    currency: str,
    stripe_customer_id: str,
    payment_method: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> Any:
    """Create and confirm a PaymentIntent without the customer present. Raises PaymentDeclined or
    GatewayUnavailable; returns the PaymentIntent otherwise (succeeded, processing or requires_action)."""
    return _call(
        _client(settings).v1.payment_intents.create,
        params={
            "amount": minor_units(amount, currency),
            "currency": currency.lower(),
            "customer": stripe_customer_id,
            "payment_method": payment_method,
            "confirm": True,
            "off_session": True,
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )


def retrieve_payment_intent(settings: StripeSettings, payment_intent_id: str) -> Any:
    try:
        return _call(_client(settings).v1.payment_intents.retrieve, payment_intent_id)
    except GatewayRefused as refused:  # say which one: Stripe's message may not
        raise GatewayRefused(
            refused.status, f"PaymentIntent {payment_intent_id}: {refused.message}"
        ) from refused


def find_payment_intent(settings: StripeSettings, stripe_customer_id: str, attempt_key: str) -> Any | None:
    """The PaymentIntent an earlier, unclear call created for this attempt, if Stripe has one. Found through
    the customer's charges (listable by customer on Stripe and localstripe alike)."""
    client = _client(settings)
    charges = _call(client.v1.charges.list, params={"customer": stripe_customer_id, "limit": 100})
    seen: set[str] = set()
    for charge in charges["data"]:
        intent_id = charge.get("payment_intent")
        if not intent_id or intent_id in seen:
            continue
        seen.add(intent_id)
        intent = _call(client.v1.payment_intents.retrieve, intent_id)
        if (intent.get("metadata") or {}).get("daas_attempt") == attempt_key:
            return intent
    return None


def refund(
    settings: StripeSettings,
    *,
    payment_intent_id: str,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    metadata: dict[str, str],
) -> Any:
    return _call(
        _client(settings).v1.refunds.create,
        params={
            "payment_intent": payment_intent_id,
            "amount": minor_units(amount, currency),
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )


def find_refund(settings: StripeSettings, payment_intent_id: str, refund_key: str) -> Any | None:
    refunds = _call(
        _client(settings).v1.refunds.list, params={"payment_intent": payment_intent_id, "limit": 100}
    )
    return next(
        (r for r in refunds["data"] if (r.get("metadata") or {}).get("daas_refund") == refund_key), None
    )


def _signed_at(signature: str) -> int:
    """The `t=` of a Stripe-Signature header `t=...,v1=...`, read as the library reads it (it has
    checked that it is there)."""
    pairs = [item.split("=", 2) for item in signature.split(",")]
    return int(next(pair[1] for pair in pairs if pair[0] == "t"))


def verify_signature(payload: bytes, signature: str | None, secret: str) -> None:
    """Raise BadSignature unless the header signs this body with our secret, within the tolerance of now
    on both sides: the library refuses old timestamps only, so a timestamp far in the future (a replay
    prepared in advance) is refused here. Both sides use the system clock, as the library does."""
    if not secret:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified")
    tolerance = stripe.Webhook.DEFAULT_TOLERANCE
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature or "", secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise BadSignature(f"bad signature: {error}") from error
    signed_at = _signed_at(signature or "")
    if signed_at > time.time() + tolerance:
        raise BadSignature(
            f"the signature's timestamp {signed_at} is more than {tolerance} seconds in the future"
        )
