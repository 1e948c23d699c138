"""Users and API tokens: create, authenticate, revoke."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from daas.auth.credentials import hash_password, hash_token, new_token, token_prefix, verify_password
from daas.auth.models import ROLES, ApiToken, User
from daas.auth.principal import Principal
from daas.core import clock
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.errors import Conflict, Invalid, NotFound
from daas.extensions import db

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
# How precisely a token's last use is kept: finer would turn every read into a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def _principal(user: User) -> Principal:
    return Principal(user_id=user.id, email=user.email, role=user.role, customer_id=user.customer_id)


def create_user(email: str, role: str, customer_id: int | None = None, password: str | None = None) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise Invalid.field("email", "Not an email address.")
    if role not in ROLES:
        raise Invalid.field("role", f"Unknown role; use one of {', '.join(ROLES)}.")
    if role == "customer" and customer_id is None:
        raise Invalid.field("customer_id", "A customer user needs the customer it belongs to.")
    if role != "customer" and customer_id is not None:
        raise Invalid.field("customer_id", "Only customer users belong to a customer.")
    if customer_id is not None and db.session.get(Customer, customer_id) is None:
        raise Invalid.field("customer_id", f"Unknown customer {customer_id}.")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.field("password", f"At least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user {email} already exists.", errors={"email": ["Already exists."]})
    user = User(
        email=email,
        role=role,
        customer_id=customer_id,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user_id: int, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.field("password", f"At least {MIN_PASSWORD_LENGTH} characters.")
    get_user(user_id).password_hash = hash_password(password)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def find_user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user {email}.", errors={"email": ["Unknown user."]})
    return user


def list_users(offset: int = 0, limit: int = 50) -> tuple[list[User], int]:
    return fetch_page(select(User).order_by(User.id), offset, limit)


def create_token(user_id: int, name: str = "api", token: str | None = None) -> tuple[ApiToken, str]:
    """Issue a token for a user. The token itself is returned once and never stored.

    `token` lets the demo data set issue well-known tokens; anything else lets the platform choose.
    """
    user = get_user(user_id)
    if not user.active:
        raise Conflict(f"User {user.email} is deactivated.")
    token = token or new_token()
    existing = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if existing is not None:
        if existing.user_id != user.id:
            raise Conflict("This token value is already in use.")
        return existing, token
    record = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token_prefix(token))
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


def authenticate_token(token: str) -> Principal | None:
    """The principal behind a bearer token, or None when it is unknown, revoked or its user inactive."""
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    now = clock.now()
    last = record.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last > TOKEN_USE_RESOLUTION:
        record.last_used_at = now
    return _principal(record.user)


def authenticate_password(email: str, password: str) -> Principal | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        return None
    return _principal(user)
