"""Signing in with e-mail and password: failed attempts counted per address in the database, with a lockout
that expires, and the same work and the same answers whether or not an address belongs to a user.

The count lives in `sign_in_failures` (one row per hashed address), so it holds across every worker and
server. Each attempt is counted before its password is checked, in one atomic INSERT ... ON CONFLICT DO
UPDATE, and a right password clears the count afterwards: however many attempts arrive at once, at most
`max_failures` passwords are checked per window, and the one that reaches it locks the address for
`seconds`. While an address is locked even the right password is refused, and nothing more is counted.

Hence two steps, `count_attempt` and `check_attempt`, with a commit between them that the sign-in use case
makes (domain code never commits): the count is durable before the password is looked at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select

from daas.auth.credentials import verify_password
from daas.auth.models import SignInFailure, User
from daas.auth.principal import Principal
from daas.auth.rules import MAX_EMAIL_LENGTH, email_key, normalize_email
from daas.core import clock
from daas.core.errors import DomainError, Unauthorized
from daas.core.text import text_problem
from daas.db import UtcDateTime, dialect_insert
from daas.extensions import db

WRONG_CREDENTIALS = "The e-mail or the password is not right."


@dataclass(frozen=True)
class LockoutPolicy:
    """`max_failures` failed sign-ins of one address within `seconds` lock it for `seconds`; 0: no lockout."""

    max_failures: int
    seconds: int


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session_version: int  # what the session cookie carries (see User.session_version)


class LockedOut(DomainError):
    """Too many failed sign-ins of this address: wait until the lockout expires. 429, like a rate limit."""

    status_code = 429


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt of an address, as counted: `counted` is False when the address was locked (the
    attempt was refused unchecked and nothing was counted)."""

    key: str
    at: datetime
    counted: bool


def count_attempt(email: str, policy: LockoutPolicy) -> Attempt | None:
    """Count an attempt of `email` before its password is checked; None when the policy locks nothing out.

    The caller commits the count before it checks the password (`check_attempt`): every other worker sees it
    at once, no row lock is held during the slow hash check, and the count stands even though the sign-in
    then fails and everything after the commit is rolled back.
    """
    if policy.max_failures <= 0:
        return None
    key, now = email_key(email), clock.now()
    return Attempt(key, now, _count_attempt(key, now, policy))


def check_attempt(email: str, password: str, attempt: Attempt | None, policy: LockoutPolicy) -> SignedIn:
    """Check an e-mail and password once the attempt is counted; the user and the session version to sign in
    with. A right password clears the address's failures.

    Raises `LockedOut` while the address is locked (the password unchecked, the right one too) and
    `Unauthorized` for a wrong e-mail or password (one message for both).
    """
    if attempt is not None and not attempt.counted:
        raise LockedOut(_locked_message(attempt.key, attempt.at, policy))
    user = _user_with(email)
    # Unknown, inactive and password-less users are checked against a dummy hash: the same cost as a real one.
    password_hash = user.password_hash if user is not None and user.active else None
    if not verify_password(password_hash, password) or user is None:
        raise Unauthorized(WRONG_CREDENTIALS, errors={"password": [WRONG_CREDENTIALS]})
    if attempt is not None:
        db.session.execute(delete(SignInFailure).where(SignInFailure.email_key == attempt.key))
    principal = Principal(user.id, user.email, user.role, user.customer_id, user.can_approve)
    return SignedIn(principal, user.session_version)


def _user_with(email: str) -> User | None:
    email = normalize_email(email)
    if len(email) > MAX_EMAIL_LENGTH or text_problem(email) is not None:
        return None  # no user can have it (and PostgreSQL cannot even compare it)
    return db.session.scalar(select(User).where(User.email == email))


def _count_attempt(key: str, now: datetime, policy: LockoutPolicy) -> bool:
    """Count one attempt of the address in one statement; False (nothing counted) while it is locked.

    A window starts at the first failure; once it is over, or a lockout has expired, counting restarts at 1.
    """
    table = SignInFailure.__table__
    window = timedelta(seconds=policy.seconds)
    until = now + window
    started = table.c.window_started_at
    restart = or_(started <= now - window, table.c.locked_until <= now)
    failures = case((restart, 1), else_=table.c.failures + 1)
    statement = dialect_insert(table).values(
        email_key=key,
        failures=1,
        window_started_at=now,
        locked_until=until if policy.max_failures <= 1 else None,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["email_key"],
        set_={
            "failures": failures,
            "window_started_at": case((restart, literal(now, UtcDateTime())), else_=started),
            "locked_until": case((failures >= policy.max_failures, literal(until, UtcDateTime()))),
        },
        # A locked row is left alone: no row comes back, and the attempt is refused unchecked.
        where=or_(table.c.locked_until.is_(None), table.c.locked_until <= now),
    ).returning(table.c.failures)
    return db.session.execute(statement).first() is not None


def _locked_message(key: str, now: datetime, policy: LockoutPolicy) -> str:
    """The same words for every address, known or not; only the wait differs, by when the lock began."""
    until = db.session.scalar(select(SignInFailure.locked_until).where(SignInFailure.email_key == key))
    seconds = (until - now).total_seconds() if until is not None else policy.seconds
    minutes = max(1, math.ceil(seconds / 60))
    wait = f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"Too many failed sign-ins with this e-mail address. Wait {wait}, then try again."
