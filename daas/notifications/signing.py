"""The signature of a webhook delivery, Stripe's scheme with daas' header (pure).

The header `Daas-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is the HMAC-SHA256, keyed by the
endpoint's secret, of `<t>.<raw body>`. A receiver recomputes it over the body bytes it received (before
parsing them), compares in constant time, and refuses timestamps older than its tolerance (replays). The
body's `id` is the event id: applying each id once makes at-least-once delivery exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Daas-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header_value(secret: str, timestamp: int, payload: bytes) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, payload)}"


def verify(
    header: str, payload: bytes, secret: str, now: int, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """True when one of the header's v1 signatures is right for `payload` and its timestamp is within
    `tolerance` seconds of `now`: what a receiver does (and what the tests do)."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, payload)
    return any(hmac.compare_digest(expected, given) for given in parts.get(SCHEME, []))
