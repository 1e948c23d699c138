"""Text a database can store. Pure: a string in, the reason it cannot be stored (or None) out.

PostgreSQL refuses NUL in text and JSON, and a lone UTF-16 surrogate (U+D800 to U+DFFF, which JSON can
spell as "\\ud800") has no UTF-8 encoding at all: stored through SQLite or a JSON column it breaks every
later read of the row (a billing run's `properties ->> 'user'`, for one). So every string the platform
takes in, from a JSON body, a query string or a form, passes this check first.
"""

from __future__ import annotations

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
