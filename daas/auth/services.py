"""Users and API tokens: create, authenticate, revoke; ending a user's sessions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from daas.auth.credentials import hash_password, hash_token, new_token, token_prefix
from daas.auth.models import API_SCOPE, TOKEN_SCOPES, ApiToken, User
from daas.auth.principal import Principal
from daas.auth.roles import CUSTOMER, ROLES
from daas.auth.rules import email_problem, normalize_email, password_problem
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.extensions import db

# How precisely a token's last use is kept: finer would turn every read into a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def _principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        role=user.role,
        customer_id=user.customer_id,
        can_approve=user.can_approve,
    )


STAFF_APPROVE_BY_ROLE = "Only customer users are given can_approve: staff approve by their role."


def create_user(
    email: str,
    role: str,
    customer_id: int | None = None,
    password: str | None = None,
    *,
    can_approve: bool = False,
) -> User:
    """A user with one role; a customer user names its customer and may be an approver (`can_approve`)."""
    email = normalize_email(email)
    problem = email_problem(email)
    if problem is not None:
        raise Invalid.field("email", problem)
    if role not in ROLES:
        raise Invalid.field("role", f"Unknown role; use one of {', '.join(ROLES)}.")
    if role == CUSTOMER and customer_id is None:
        raise Invalid.field("customer_id", "A customer user needs the customer it belongs to.")
    if role != CUSTOMER and customer_id is not None:
        raise Invalid.field("customer_id", "Only customer users belong to a customer.")
    if customer_id is not None and db.session.get(Customer, customer_id) is None:
        raise Invalid.field("customer_id", f"Unknown customer {customer_id}.")
    if password is not None and (problem := password_problem(password)) is not None:
        raise Invalid.field("password", problem)
    if can_approve and role != CUSTOMER:
        raise Invalid.field("can_approve", STAFF_APPROVE_BY_ROLE)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user {email} already exists.", errors={"email": ["Already exists."]})
    user = User(
        email=email,
        role=role,
        customer_id=customer_id,
        password_hash=hash_password(password) if password else None,
        can_approve=can_approve,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user_id: int, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    problem = password_problem(password)
    if problem is not None:
        raise Invalid.field("password", problem)
    get_user(user_id).password_hash = hash_password(password)
    end_sessions(user_id)


def end_sessions(user_id: int) -> None:
    """End every session of the user, on every server: the session version their cookies carry is raised
    (in one UPDATE, so concurrent sign-outs never lose a raise)."""
    get_user(user_id)  # 404 for an unknown user
    db.session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1),
        execution_options={"synchronize_session": "fetch"},
    )


def deactivate_user(user_id: int, actor_user_id: int | None = None) -> User:
    """Stop a user: no sign-in, no API token works, and every open session ends. An admin cannot stop
    themselves (nobody might be left to undo it)."""
    user = get_user(user_id)
    if user.id == actor_user_id:
        raise Conflict("You cannot deactivate yourself; ask another admin.")
    if user.active:
        user.active = False
        end_sessions(user.id)
    return user


def reactivate_user(user_id: int) -> User:
    """Let a deactivated user sign in and use their tokens again (sessions ended meanwhile stay ended)."""
    user = get_user(user_id)
    user.active = True
    return user


def update_user(user_id: int, changes: dict[str, Any], actor_user_id: int | None = None) -> User:
    """Change what is sent: `can_approve` (customer users only; false is no change for staff) and
    `active` (false deactivates, ending every session; an admin cannot deactivate themselves)."""
    user = get_user(user_id)
    if "can_approve" in changes:
        if changes["can_approve"] and user.role != CUSTOMER:
            raise Invalid.field("can_approve", STAFF_APPROVE_BY_ROLE)
        user.can_approve = bool(changes["can_approve"])
    if "active" in changes:
        if changes["active"]:
            reactivate_user(user.id)
        else:
            deactivate_user(user.id, actor_user_id)
    db.session.flush()
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def find_user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound(f"No user {email}.", errors={"email": ["Unknown user."]})
    return user


def list_users(offset: int = 0, limit: int = 50) -> tuple[list[User], int]:
    return fetch_page(select(User).order_by(User.id), offset, limit)


def create_token(
    user_id: int, name: str = "api", token: str | None = None, scope: str = API_SCOPE
) -> tuple[ApiToken, str]:
    """Issue a token for a user. The token itself is returned once and never stored.

    `scope` API_SCOPE opens the API of the user's role; CALENDAR_SCOPE only the calendar feed (see models).
    `token` lets the demo data set issue well-known tokens; anything else lets the platform choose.
    """
    if scope not in TOKEN_SCOPES:
        raise Invalid.field("scope", f"Unknown scope; use one of {', '.join(TOKEN_SCOPES)}.")
    user = get_user(user_id)
    if not user.active:
        raise Conflict(f"User {user.email} is deactivated.")
    token = token or new_token()
    existing = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if existing is not None:
        if existing.user_id != user.id or existing.scope != scope:
            raise Conflict("This token value is already in use.")
        return existing, token
    record = ApiToken(
        user_id=user.id, name=name, token_hash=hash_token(token), prefix=token_prefix(token), scope=scope
    )
    db.session.add(record)
    db.session.flush()
    return record, token


def revoke_token(user_id: int, token_id: int) -> ApiToken:
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != user_id:
        raise NotFound(f"No token {token_id} for user {user_id}.")
    if record.revoked_at is None:
        record.revoked_at = clock.now()
    return record


def authenticate_token(token: str, scopes: Collection[str] = (API_SCOPE,)) -> Principal | None:
    """The principal behind a token, or None when it is unknown, revoked, its user inactive, or its scope
    not one of `scopes` (a calendar token opens nothing but the feed). Notes the token's last use on its
    row, at most once per TOKEN_USE_RESOLUTION, for the calling use case to commit."""
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if record is None or record.revoked_at is not None or record.scope not in scopes:
        return None
    if not record.user.active:
        return None
    now = clock.now()
    last = record.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last > TOKEN_USE_RESOLUTION:
        record.last_used_at = now
    return _principal(record.user)
