"""Users, API tokens, signing in and out: the workflows the API, the admin pages, the sign-in page and the
`users`/`tokens` commands start, each one transaction.

Signing in is the one that commits part-way: the attempt is counted and committed before the password is
checked, so that a failed sign-in still counts (the error rolls back only what came after).
"""

from __future__ import annotations

from collections.abc import Collection

from daas.auth import services
from daas.auth.models import API_SCOPE, CALENDAR_SCOPE, ApiToken, User
from daas.auth.principal import Principal
from daas.auth.sign_in import LockoutPolicy, SignedIn, check_attempt, count_attempt
from daas.usecases.transaction import commit, use_case


@use_case
def create_user(email: str, role: str, customer_id: int | None = None, password: str | None = None) -> User:
    """A user with one role (a customer user names its customer); without a password it can only use API
    tokens."""
    return services.create_user(email, role, customer_id, password)


@use_case
def deactivate_user(user_id: int, actor_user_id: int | None = None) -> User:
    """Stop a user (every session ends, no token works); `actor_user_id`, the admin doing it, cannot stop
    themselves."""
    return services.deactivate_user(user_id, actor_user_id)


@use_case
def reactivate_user(user_id: int) -> User:
    """Let a deactivated user sign in and use their unrevoked tokens again."""
    return services.reactivate_user(user_id)


@use_case
def set_password(user_id: int, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    services.set_password(user_id, password)


@use_case
def issue_token(user_id: int, name: str, scope: str = API_SCOPE) -> tuple[ApiToken, str]:
    """A new token for the user: its record and the secret, which is returned this once and never stored."""
    return services.create_token(user_id, name, scope=scope)


@use_case
def issue_calendar_token(user_id: int) -> tuple[ApiToken, str]:
    """A token that opens the pickup calendar feed and nothing else, for a calendar app's link (which leaks
    easily); returned with its secret this once, never stored, and revoked like any token."""
    return services.create_token(user_id, "pickup calendar feed", scope=CALENDAR_SCOPE)


@use_case
def revoke_token(user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens: it stops working at once."""
    return services.revoke_token(user_id, token_id)


@use_case
def authenticate_api_token(token: str, scopes: Collection[str]) -> Principal | None:
    """The caller behind a token (None when it opens nothing here), its last use committed before the
    request's own work starts: what the request then does, or fails to do, does not undo the note."""
    return services.authenticate_token(token, scopes)


@use_case
def sign_in(email: str, password: str, policy: LockoutPolicy) -> SignedIn:
    """Check an e-mail and password under the lockout policy; who signs in and the session version.

    The attempt is committed before the password is checked, so the failure count stands when the sign-in
    is refused (`Unauthorized`, `LockedOut`) and every worker sees it at once; a right password clears it.
    """
    attempt = count_attempt(email, policy)
    commit()
    return check_attempt(email, password, attempt, policy)


@use_case
def sign_out(user_id: int) -> None:
    """End every session of the user, this browser's and any copy of its cookie."""
    services.end_sessions(user_id)
