"""Users, API tokens, signing in and out: the workflows the API, the admin pages, the sign-in page and the
`users`/`tokens` commands start, each one transaction.

Signing in is the one that commits part-way: the attempt is counted and committed before the password is
checked, so that a failed sign-in still counts (the error rolls back only what came after).
"""

from __future__ import annotations

from collections.abc import Collection

from daas.auth import services
from daas.auth.models import API_SCOPE, CALENDAR_SCOPE, ApiToken
from daas.auth.principal import Principal
from daas.auth.sign_in import LockoutPolicy, SignedIn, check_attempt, count_attempt
from daas.usecases.transaction import commit, use_case

create_user = use_case(services.create_user)
deactivate_user = use_case(services.deactivate_user)
reactivate_user = use_case(services.reactivate_user)
change_user = use_case(services.update_user)


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


revoke_token = use_case(services.revoke_token)


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
