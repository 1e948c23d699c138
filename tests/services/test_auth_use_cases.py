"""The auth use cases end their transaction themselves: what they did stands after the caller rolls back,
and what they refused leaves no trace. Signing in keeps its failure count even when it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from daas.auth.credentials import verify_password
from daas.auth.models import API_SCOPE, CALENDAR_SCOPE, ApiToken, SignInFailure, User
from daas.auth.roles import ADMIN, CUSTOMER, FINANCE
from daas.auth.rules import email_key
from daas.auth.services import TOKEN_USE_RESOLUTION
from daas.auth.sign_in import LockedOut, LockoutPolicy
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound, Unauthorized
from daas.extensions import db
from daas.usecases import auth as use_cases
from tests import factories

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=3, seconds=900)


def _users(email: str) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def _failures(email: str) -> SignInFailure | None:
    return db.session.get(SignInFailure, email_key(email))


def _staff(role: str = FINANCE, password: str | None = PASSWORD) -> User:
    user = factories.user(role, password=password)
    db.session.commit()
    return user


# -- users ---------------------------------------------------------------------------------------------


def test_create_user_commits_the_user(database):
    customer = factories.customer()
    db.session.commit()
    user = use_cases.create_user("  IT@Example.COM ", CUSTOMER, customer.id, PASSWORD)
    db.session.rollback()  # nothing left open: the use case committed
    stored = db.session.get(User, user.id)
    assert (stored.email, stored.role, stored.customer_id, stored.active) == (
        "it@example.com",
        CUSTOMER,
        customer.id,
        True,
    )
    assert verify_password(stored.password_hash, PASSWORD)


def test_create_user_refused_stores_nothing(database):
    with pytest.raises(Invalid) as refused:
        use_cases.create_user("staff@example.com", FINANCE, customer_id=None, password="short")
    assert "password" in refused.value.errors
    assert _users("staff@example.com") == 0
    use_cases.create_user("staff@example.com", FINANCE)
    with pytest.raises(Conflict):
        use_cases.create_user("Staff@example.com", ADMIN)
    assert _users("staff@example.com") == 1


def test_deactivate_ends_sessions_and_reactivate_lets_the_user_back(database):
    user = _staff()
    version = user.session_version
    use_cases.deactivate_user(user.id)
    db.session.rollback()
    stopped = db.session.get(User, user.id)
    assert (stopped.active, stopped.session_version) == (False, version + 1)
    use_cases.reactivate_user(user.id)
    db.session.rollback()
    back = db.session.get(User, user.id)
    assert (back.active, back.session_version) == (True, version + 1)  # ended sessions stay ended


def test_an_admin_cannot_deactivate_themselves(database):
    admin = _staff(ADMIN)
    with pytest.raises(Conflict):
        use_cases.deactivate_user(admin.id, actor_user_id=admin.id)
    assert db.session.get(User, admin.id).active is True


def test_set_password_replaces_the_hash_and_ends_sessions(database):
    user = _staff()
    version = user.session_version
    use_cases.set_password(user.id, "a-brand-new-password")
    db.session.rollback()
    changed = db.session.get(User, user.id)
    assert verify_password(changed.password_hash, "a-brand-new-password")
    assert not verify_password(changed.password_hash, PASSWORD)
    assert changed.session_version == version + 1
    with pytest.raises(Invalid):
        use_cases.set_password(user.id, "short")
    kept = db.session.get(User, user.id)
    assert verify_password(kept.password_hash, "a-brand-new-password")
    assert kept.session_version == version + 1


def test_sign_out_ends_every_session(database):
    user = _staff()
    version = user.session_version
    use_cases.sign_out(user.id)
    db.session.rollback()
    assert db.session.get(User, user.id).session_version == version + 1
    with pytest.raises(NotFound):
        use_cases.sign_out(user.id + 1000)


# -- tokens --------------------------------------------------------------------------------------------


def test_issue_token_stores_only_its_hash_and_the_token_opens_the_api(database):
    user = _staff()
    record, token = use_cases.issue_token(user.id, "laptop")
    db.session.rollback()
    stored = db.session.get(ApiToken, record.id)
    assert (stored.user_id, stored.name, stored.scope, stored.revoked_at) == (
        user.id,
        "laptop",
        API_SCOPE,
        None,
    )
    assert token not in {stored.token_hash, stored.prefix} and token.startswith(stored.prefix)
    principal = use_cases.authenticate_api_token(token, (API_SCOPE,))
    assert (principal.user_id, principal.role) == (user.id, FINANCE)


def test_a_calendar_token_opens_only_the_feed(database):
    user = _staff()
    _, token = use_cases.issue_token(user.id, "feed", scope=CALENDAR_SCOPE)
    assert use_cases.authenticate_api_token(token, (API_SCOPE,)) is None
    assert use_cases.authenticate_api_token(token, (CALENDAR_SCOPE,)).user_id == user.id


def test_no_token_for_a_deactivated_user(database):
    user = _staff()
    use_cases.deactivate_user(user.id)
    with pytest.raises(Conflict):
        use_cases.issue_token(user.id, "laptop")
    assert db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id)) == 0


def test_revoke_token_stops_it_at_once(database):
    user, other = _staff(), _staff()
    record, token = use_cases.issue_token(user.id, "laptop")
    with pytest.raises(NotFound):
        use_cases.revoke_token(other.id, record.id)
    assert db.session.get(ApiToken, record.id).revoked_at is None
    with clock.frozen(NOW):
        use_cases.revoke_token(user.id, record.id)
    db.session.rollback()
    assert db.session.get(ApiToken, record.id).revoked_at == NOW
    assert use_cases.authenticate_api_token(token, (API_SCOPE,)) is None


def test_authenticating_commits_the_tokens_last_use_at_most_once_per_resolution(database):
    user = _staff()
    record, token = use_cases.issue_token(user.id, "laptop")

    def last_use() -> datetime | None:
        db.session.rollback()  # the note must stand on its own: it was committed
        return db.session.get(ApiToken, record.id).last_used_at

    with clock.frozen(NOW):
        use_cases.authenticate_api_token(token, (API_SCOPE,))
    assert last_use() == NOW
    with clock.frozen(NOW + TOKEN_USE_RESOLUTION - timedelta(seconds=1)):
        use_cases.authenticate_api_token(token, (API_SCOPE,))
    assert last_use() == NOW
    later = NOW + TOKEN_USE_RESOLUTION + timedelta(seconds=1)
    with clock.frozen(later):
        use_cases.authenticate_api_token(token, (API_SCOPE,))
    assert last_use() == later
    assert use_cases.authenticate_api_token("daas_unknown", (API_SCOPE,)) is None


# -- signing in ----------------------------------------------------------------------------------------


def test_a_refused_sign_in_keeps_its_failure_counted(database):
    user = _staff()
    with clock.frozen(NOW), pytest.raises(Unauthorized):
        use_cases.sign_in(user.email, "wrong password", POLICY)
    db.session.rollback()
    assert _failures(user.email).failures == 1
    with clock.frozen(NOW), pytest.raises(Unauthorized):
        use_cases.sign_in("nobody@example.com", "wrong password", POLICY)
    assert _failures("nobody@example.com").failures == 1  # unknown addresses are counted alike


def test_a_right_password_signs_in_and_clears_the_count(database):
    user = _staff()
    with clock.frozen(NOW):
        with pytest.raises(Unauthorized):
            use_cases.sign_in(user.email, "wrong password", POLICY)
        signed_in = use_cases.sign_in(user.email.upper(), PASSWORD, POLICY)
    db.session.rollback()
    assert (signed_in.principal.user_id, signed_in.session_version) == (user.id, user.session_version)
    assert _failures(user.email) is None


def test_the_attempt_that_reaches_the_limit_locks_the_address_even_for_the_right_password(database):
    user = _staff()
    with clock.frozen(NOW):
        for _ in range(POLICY.max_failures):
            with pytest.raises(Unauthorized):
                use_cases.sign_in(user.email, "wrong password", POLICY)
        with pytest.raises(LockedOut, match="Wait 15 minutes"):
            use_cases.sign_in(user.email, PASSWORD, POLICY)
    db.session.rollback()
    locked = _failures(user.email)
    assert locked.failures == POLICY.max_failures  # a refused attempt while locked is not counted
    assert locked.locked_until is not None
    with clock.frozen(NOW + timedelta(seconds=POLICY.seconds + 1)):
        assert use_cases.sign_in(user.email, PASSWORD, POLICY).principal.user_id == user.id
    assert _failures(user.email) is None


def test_without_a_lockout_nothing_is_counted(database):
    user = _staff()
    off = LockoutPolicy(max_failures=0, seconds=900)
    with pytest.raises(Unauthorized):
        use_cases.sign_in(user.email, "wrong password", off)
    assert _failures(user.email) is None
    assert use_cases.sign_in(user.email, PASSWORD, off).principal.user_id == user.id
    with pytest.raises(Unauthorized):  # an inactive user cannot sign in, right password or not
        use_cases.deactivate_user(user.id)
        use_cases.sign_in(user.email, PASSWORD, off)


def test_a_calendar_token_is_kept_and_opens_the_feed_only(database):
    user = factories.user("logistics")
    token, secret = use_cases.issue_calendar_token(user.id)
    db.session.rollback()
    stored = db.session.get(ApiToken, token.id)
    assert (stored.user_id, stored.name, stored.scope) == (user.id, "pickup calendar feed", "calendar")
    assert secret and stored.revoked_at is None
