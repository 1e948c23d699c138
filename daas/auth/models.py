"""Users with one role each, their API tokens (only a hash of each token is stored), and the failed
sign-ins counted per e-mail address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.auth.roles import CUSTOMER, ROLES
from daas.db import UtcDateTime, one_of
from daas.extensions import db

# What a token opens: API_SCOPE the whole API of its user's role (sent as a bearer header); CALENDAR_SCOPE
# only the iCalendar feed, so the token can sit in a feed link (`?token=`) that calendar apps store and share.
API_SCOPE = "api"
CALENDAR_SCOPE = "calendar"
TOKEN_SCOPES = (API_SCOPE, CALENDAR_SCOPE)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role_known"),
        # A customer user belongs to exactly one customer; staff belong to none.
        CheckConstraint(
            f"(role = '{CUSTOMER}') = (customer_id IS NOT NULL)", name="customer_role_has_customer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # A customer user who may approve orders over a person's allowance.
    can_approve: Mapped[bool] = mapped_column(default=False, server_default=text("'0'"))
    # Carried by every session cookie of the user and compared on each request: raising it (sign-out,
    # a new password, deactivation) ends all of the user's sessions at once, on every server.
    session_version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", order_by="ApiToken.id")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(one_of("scope", TOKEN_SCOPES), name="scope_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the token: tokens are 256-bit random, so a fast hash is enough and allows lookup by hash.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16), default=API_SCOPE, server_default=API_SCOPE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class SignInFailure(db.Model):
    """Failed sign-ins of one e-mail address within the current window, and the lockout they caused.

    Keyed by a hash of the normalized address, whether or not a user has it: unknown addresses are counted
    and locked exactly like real ones (so a lockout tells nothing about which exist), and what people
    mistype into the e-mail field is not kept readable. The database holds the count, so every worker and
    server sees the same one.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (CheckConstraint("failures > 0", name="failures_positive"),)

    email_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
