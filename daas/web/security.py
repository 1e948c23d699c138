"""Security headers of the pages: a content security policy without inline scripts, no framing."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> str:
    """Scripts only from daas and from Stripe.js (its address is configuration); no inline scripts."""
    stripe_js, stripe_api = (
        _origin(current_app.config["STRIPE_JS_URL"]),
        _origin(current_app.config["STRIPE_API_BASE"]),
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
