"""The rules for a user's e-mail address and password, applied where users are made (API, command line,
admin page) through `auth.services`, and nowhere else.

Sign-in applies none of them beyond "not empty": whatever address the platform let a user have must be
accepted at sign-in, so the rule lives here once instead of in each form. It checks the form of an address,
not whether mail reaches it: special-use domains such as `.test`, `.example` or `.local` are fine.
"""

from __future__ import annotations

import hashlib
import unicodedata

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
MAX_LOCAL_PART_LENGTH = 64
MAX_LABEL_LENGTH = 63
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
NOT_AN_ADDRESS = "Not an e-mail address: a name, one @ and a domain, such as it@example.com."
# Characters that need quoting in a local part; daas does not take quoted local parts.
_LOCAL_SPECIALS = frozenset('"(),:;<>[\\]')


def normalize_email(raw: str) -> str:
    """The form an address is stored, looked up and counted in: trimmed, composed (NFC) and lower case."""
    return unicodedata.normalize("NFC", raw.strip()).lower()


def email_key(raw: str) -> str:
    """A fixed-length key for an address as typed (normalized first), for counting failed sign-ins without
    keeping what people type into the e-mail field."""
    return hashlib.sha256(normalize_email(raw).encode("utf-8", "surrogatepass")).hexdigest()


def _label_ok(label: str) -> bool:
    return (
        0 < len(label) <= MAX_LABEL_LENGTH
        and not label.startswith("-")
        and not label.endswith("-")
        and all(char.isalnum() or char == "-" for char in label)
    )


def email_problem(email: str) -> str | None:
    """Why `email` (normalized) cannot be a user's address, or None when it can."""
    if not email:
        return "Enter an e-mail address."
    if len(email) > MAX_EMAIL_LENGTH:
        return f"At most {MAX_EMAIL_LENGTH} characters."
    if any(unicodedata.category(char)[0] in "CZ" for char in email):
        return "No spaces or control characters."
    local, at, domain = email.rpartition("@")
    if not at or not local or "@" in local:
        return NOT_AN_ADDRESS
    if (
        len(local) > MAX_LOCAL_PART_LENGTH
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or any(char in _LOCAL_SPECIALS for char in local)
    ):
        return NOT_AN_ADDRESS
    labels = domain.split(".")
    if len(labels) < 2 or not all(_label_ok(label) for label in labels) or labels[-1].isdigit():
        return NOT_AN_ADDRESS
    return None


def password_problem(password: str) -> str | None:
    """Why `password` cannot be a user's password, or None when it can."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return f"At least {MIN_PASSWORD_LENGTH} characters, at most {MAX_PASSWORD_LENGTH}."
    return None
