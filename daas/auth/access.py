"""Access control for the API: bearer tokens, roles, and the customer a customer user is bound to.

`access(blp, *roles)` decorates a view: no or bad token is 401, a role outside `roles` is 403, and the
OpenAPI document says both. Views read the caller with `current_principal()`; services receive only the
customer scope (`principal.customer_scope`), so another customer's object is simply not found (404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from daas.auth.models import ROLES
from daas.auth.principal import Principal
from daas.auth.services import authenticate_token
from daas.errors import Forbidden, Unauthorized
from daas.extensions import db

STAFF = ("admin", "finance", "logistics")
EVERYONE = ROLES


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_request(query_token: bool = False) -> Principal:
    token = _bearer_token() or (request.args.get("token") if query_token else None)
    if token is None:
        raise Unauthorized("Sign in with an API token: Authorization: Bearer <token>.")
    principal = authenticate_token(token)
    if principal is None:
        raise Unauthorized("The API token is unknown or revoked.")
    if db.session.dirty:
        db.session.commit()  # the token's last use, before the request's own work starts
    g.principal = principal
    return principal


def current_principal() -> Principal:
    return g.principal


def access(
    blp: Any, *roles: str, query_token: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let callers with one of `roles` ("admin" is always allowed) run the view; document 401 and 403.

    `query_token` also accepts the token as `?token=`, for calendar feeds whose clients cannot send headers.
    """
    allowed = frozenset(roles) | {"admin"}
    unknown = allowed - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate_request(query_token)
            if principal.role not in allowed:
                raise Forbidden(f"The {principal.role} role may not do this.")
            return view(*args, **kwargs)

        wrapper = blp.doc(security=[{"bearerAuth": []}], **{"x-roles": sorted(allowed)})(wrapper)
        wrapper = blp.alt_response(401, response="UNAUTHORIZED")(wrapper)
        if allowed != set(ROLES):
            wrapper = blp.alt_response(403, response="FORBIDDEN")(wrapper)
        return wrapper

    return decorator
