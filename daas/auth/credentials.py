"""Password hashing (Argon2id, via argon2-cffi) and API token generation and hashing."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "daas_"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password with the hasher's own parameters: checking a password against it costs
    what checking a real one costs, and it never matches."""
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`. Without a hash (an unknown user, an inactive one, one who
    has no password) the password is checked against a dummy hash all the same, so that a refusal takes as
    long as a real check and the time of an answer does not tell which accounts exist."""
    try:
        if not password_hash:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(token: str) -> str:
    """The first characters of a token: enough for people to tell their tokens apart, useless to attackers."""
    return token[: len(TOKEN_PREFIX) + 6]
