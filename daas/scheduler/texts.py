"""How the scheduler's records and logs say moments, durations and what a run did: the same words in a
job run's detail (which the pages show), in the process's log and in `flask daas scheduler --list`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def moment(value: datetime) -> str:
    """A due time as people read it in logs and records: 2026-11-01 02:00:00 UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def span(value: timedelta) -> str:
    """A duration in its two largest units: 3 d 4 h, 2 h 13 min, 45 s."""
    seconds = int(value.total_seconds())
    units = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
    parts = []
    for name, size in units:
        if seconds >= size or (name == "s" and not parts):
            parts.append(f"{seconds // size} {name}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def summary(counts: dict[str, Any]) -> str:
    """What a run reported, as its record's detail ends: "customers: 1, skipped: 0"."""
    return ", ".join(f"{name}: {value}" for name, value in counts.items()) or "nothing to report"
