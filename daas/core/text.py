"""Text a database can store. Pure: a string in, the reason it cannot be stored (or None) out.

PostgreSQL refuses NUL in text and JSON, and a lone UTF-16 surrogate (U+D800 to U+DFFF, which JSON can
spell as "\\ud800") has no UTF-8 encoding at all: stored through SQLite or a JSON column it breaks every
later read of the row (a billing run's `properties ->> 'user'`, for one). So every string the platform
takes in, from a JSON body, a query string or a form, passes this check first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

NUL_MESSAGE = "Must not contain NUL characters."
SURROGATE_MESSAGE = "Must be valid Unicode: no lone surrogates (U+D800 to U+DFFF)."


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # only lone surrogates cannot be encoded
            return SURROGATE_MESSAGE
    return None


# -- parsed JSON ---------------------------------------------------------------------------------------

MAX_JSON_DEPTH = 64
DEPTH_MESSAGE = f"The body is nested too deeply: at most {MAX_JSON_DEPTH} levels of objects and lists."
NON_FINITE_MESSAGE = "Not a number: NaN and Infinity are not JSON; send a finite number."
KEY_MESSAGE = "Keys must be valid Unicode without NUL characters or lone surrogates."


class NonFinite:
    """What `NaN`, `Infinity` and `-Infinity` parse to when a parser lets them through (Python's json
    accepts them, JSON does not; `json.loads(..., parse_constant=NonFinite)`), so that `first_refusal`
    can name the field that holds one."""

    def __init__(self, spelling: str) -> None:
        self.spelling = spelling


@dataclass(frozen=True)
class Refusal:
    """The first thing in parsed JSON that cannot be stored: where (a dotted path, "body" for the whole),
    why, and whether it is the document as a whole (nesting) rather than one field."""

    path: str
    message: str
    whole: bool = False


def first_refusal(value: Any, path: str = "", depth: int = 0) -> Refusal | None:
    """Walk parsed JSON once: text with NUL or a lone surrogate (in a value, or in a key: named by the
    object holding it), NaN or Infinity, or nesting deeper than MAX_JSON_DEPTH. None when all is storable.
    One walk for every JSON that comes in: API bodies and Stripe's events."""
    if isinstance(value, str):
        problem = text_problem(value)
        return None if problem is None else Refusal(path or "body", problem)
    if isinstance(value, NonFinite):
        return Refusal(path or "body", NON_FINITE_MESSAGE)
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    if depth >= MAX_JSON_DEPTH:
        return Refusal("body", DEPTH_MESSAGE, whole=True)
    for key, item in items:
        if isinstance(key, str) and text_problem(key) is not None:
            return Refusal(path or "body", KEY_MESSAGE)
        found = first_refusal(item, f"{path}.{key}" if path else str(key), depth + 1)
        if found is not None:
            return found
    return None


# What XML 1.0 cannot hold (controls but tab, line feed and carriage return; surrogates; U+FFFE, U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text as an XML document can carry it: characters XML 1.0 forbids (an escape character pasted into
    a reason, say) are left out, so a free text never stops a document from being issued."""
    return _NOT_XML.sub("", text)
