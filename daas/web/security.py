"""Security headers: on the pages a content security policy without inline scripts and no framing; on every
answer sent over HTTPS, Strict-Transport-Security."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, request

from daas.settings import current_settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    """Scripts only from daas and from Stripe.js (its address is configuration); no inline scripts."""
    stripe_js, stripe_api = (
        _origin(current_settings().stripe_js_url),
        _origin(current_settings().stripe.api_base),
    )
    stripe = " ".join(sorted({o for o in (stripe_js, stripe_api) if o}))
    return (
        f"default-src 'self'; script-src 'self' {stripe}; connect-src 'self' {stripe}; frame-src {stripe}; "
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def secure_page(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def strict_transport_security(response: Response) -> Response:
    """Tell browsers to use HTTPS only, for `DAAS_HSTS_SECONDS` (0: never say so), on answers that came over
    HTTPS; behind a proxy `request.is_secure` follows its X-Forwarded-Proto (ProxyFix, DAAS_TRUSTED_PROXIES).
    Never over plain HTTP: browsers ignore it there, and a development server must stay reachable."""
    seconds = current_settings().hsts_seconds
    if request.is_secure and seconds > 0:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    return response
