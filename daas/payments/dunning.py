"""When to try a failed card payment again. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def parse_retry_days(text: str) -> tuple[int, ...]:
    """ "3,7,14" -> (3, 7, 14): days after the first failure; ascending, positive."""
    days = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    if any(d <= 0 for d in days) or list(days) != sorted(set(days)):
        raise ValueError(f"retry days must ascend and be positive: {text!r}")
    return days


def next_retry(first_failure: datetime, failures: int, retry_days: Sequence[int]) -> datetime | None:
    """After `failures` failed attempts, when to try again; None when the schedule is used up and the
    invoice is uncollectible."""
    if failures <= len(retry_days):
        return first_failure + timedelta(days=retry_days[failures - 1])
    return None
