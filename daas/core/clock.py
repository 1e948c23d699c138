"""The one source of "now" and "today" (UTC), so tests can freeze time without patching datetime."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return now().date()


def frozen_at() -> datetime | None:
    """The moment the clock is frozen at, None when it runs (tests check nothing leaves it frozen)."""
    return _frozen


@contextmanager
def frozen(at: datetime | date) -> Iterator[None]:
    """Make `now()` and `today()` return `at` (a date means its midnight UTC) inside the block. The clock is
    one for the process: freeze it once around threads, never in each of them (their blocks would not
    nest, and the last to leave could restore another's moment)."""
    global _frozen  # noqa: PLW0603 - the module is the clock
    previous = _frozen
    _frozen = at if isinstance(at, datetime) else datetime.combine(at, time(), tzinfo=UTC)
    try:
        yield
    finally:
        _frozen = previous
