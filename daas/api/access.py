"""Access control for the API: bearer tokens (and calendar-feed tokens), roles, and the customer a customer
user is bound to.

`access(blp, *roles)` decorates a view: no or bad token is 401, a role outside `roles` is 403, and the
OpenAPI document says both. Views read the caller with `current_principal()`; services receive only the
customer scope (`principal.customer_scope`), so another customer's object is simply not found (404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from daas.auth.models import API_SCOPE, CALENDAR_SCOPE
from daas.auth.principal import Principal
from daas.auth.roles import ADMIN, ROLES
from daas.core.errors import Forbidden, Unauthorized
from daas.usecases.auth import authenticate_api_token

EVERYONE = ROLES


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


REFUSED_TOKEN = (
    "The token is unknown, revoked, or not for this: API calls take an API token in the Authorization "
    "header; a calendar token opens only the calendar feed."
)


def authenticate_request(calendar_feed: bool = False) -> Principal:
    """The caller behind the request's token. Everywhere an API token in the Authorization header; on a
    calendar feed also a calendar token, in the header or as `?token=` (where calendar apps keep it). An API
    token is never taken from the query string: links end up in logs, histories and shared calendars."""
    header_token = _bearer_token()
    if header_token is not None:
        token, scopes = header_token, (API_SCOPE, CALENDAR_SCOPE) if calendar_feed else (API_SCOPE,)
    elif calendar_feed and request.args.get("token"):
        token, scopes = request.args["token"], (CALENDAR_SCOPE,)
    else:
        raise Unauthorized("Sign in with an API token: Authorization: Bearer <token>.")
    principal = authenticate_api_token(token, scopes)  # commits the token's last use
    if principal is None:
        raise Unauthorized(REFUSED_TOKEN)
    g.principal = principal
    return principal


def current_principal() -> Principal:
    return g.principal


def access(
    blp: Any, *roles: str, calendar_feed: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let callers with one of `roles` (ADMIN is always allowed) run the view; document 401 and 403.

    `calendar_feed` also accepts a calendar token (`TOKEN_SCOPES`), as `?token=` too, for calendar apps that
    cannot send headers; every other view refuses calendar tokens.
    """
    allowed = frozenset(roles) | {ADMIN}
    unknown = allowed - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate_request(calendar_feed)
            if principal.role not in allowed:
                raise Forbidden(f"The {principal.role} role may not do this.")
            return view(*args, **kwargs)

        wrapper = blp.doc(security=[{"bearerAuth": []}], **{"x-roles": sorted(allowed)})(wrapper)
        wrapper = blp.alt_response(401, response="UNAUTHORIZED")(wrapper)
        if allowed != set(ROLES):
            wrapper = blp.alt_response(403, response="FORBIDDEN")(wrapper)
        return wrapper

    return decorator
