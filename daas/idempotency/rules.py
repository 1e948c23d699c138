"""What an idempotency key may be, how long it is kept, and the fingerprint of the request it was sent
with: plain values in, plain values out.

A key is 1 to 255 visible ASCII characters (`!` to `~`: a UUID, a ULID, base64 text; no spaces, which
HTTP strips from the ends of a header anyway). The fingerprint is the method, the path (with its query
string, if any) and the SHA-256 of the body in canonical form: a JSON body by value (object keys sorted,
no white space, numbers by value, so `1.10` and `1.1` are the same body), any other body byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

# The name clients know the key by: the header, and the field errors are filed under.
KEY_FIELD = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PATTERN = re.compile(r"[!-~]+")
KEY_MESSAGE = f"1 to {MAX_KEY_LENGTH} visible ASCII characters (! to ~), without spaces."
# How long a key holds its answer, from the moment the first request with it arrived.
KEEP_FOR = timedelta(hours=24)


def key_problem(key: str) -> str | None:
    """Why `key` cannot be an idempotency key, or None when it can."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or KEY_PATTERN.fullmatch(key) is None:
        return KEY_MESSAGE
    return None


@dataclass(frozen=True)
class Fingerprint:
    """What makes two requests with one key the same request."""

    method: str
    path: str
    body_sha256: str


def fingerprint(method: str, path: str, body: bytes) -> Fingerprint:
    return Fingerprint(method.upper(), path, hashlib.sha256(canonical_body(body)).hexdigest())


class _NotJson(ValueError):
    """NaN or Infinity: not JSON, so the body is taken as sent."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


def canonical_body(body: bytes) -> bytes:
    """A JSON body by value; anything else (no body, not JSON) as it is."""
    try:
        value = json.loads(body, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant)
        return _canonical(value).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body


def _canonical(value: Any) -> str:
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{json.dumps(name)}:{_canonical(item)}" for name, item in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, Decimal):
        return _number(value)
    return json.dumps(value)  # a string, true, false or null


def _number(value: Decimal) -> str:
    """A number by value, exactly (no rounding to a context's precision): `1.10`, `1.1` and `11e-1`
    all give `11e-1`, every zero `0`."""
    sign, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits))
    significant = text.rstrip("0")
    if not significant:
        return "0"
    return f"{'-' if sign else ''}{significant}e{int(exponent) + len(text) - len(significant)}"
