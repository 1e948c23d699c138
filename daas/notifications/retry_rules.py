"""When a failed e-mail or webhook delivery is tried again (pure).

A schedule is the list of waits after each failed attempt: the first retry comes `waits[0]` after the first
failure, and so on; once the waits are used up the message is given up (failed). Written in settings as
minutes, `"1,5,15,60,240"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# E-mail: five retries over about five hours.
EMAIL_MINUTES = "1,5,15,60,240"
# Webhooks, as Stripe does: doubling from a minute up to twelve hours, over a little more than 3 days.
WEBHOOK_MINUTES = "1,2,4,8,16,32,64,128,256,512,720,720,720,720,720"


@dataclass(frozen=True)
class RetrySchedule:
    waits: tuple[timedelta, ...]

    @classmethod
    def parse(cls, minutes: str) -> RetrySchedule:
        """`"1,5,15"` (whole or decimal minutes, each > 0; empty means never retry)."""
        if not isinstance(minutes, str):
            raise ValueError(f"must be a comma-separated list of minutes, not {minutes!r}")
        waits = []
        for part in minutes.split(","):
            if not part.strip():
                continue
            try:
                value = float(part)
            except ValueError:
                raise ValueError(f"{part.strip()!r} is not a number of minutes") from None
            if not 0 < value < float("inf"):  # also refuses NaN
                raise ValueError(f"each wait must be a positive number of minutes, not {part.strip()!r}")
            waits.append(timedelta(minutes=value))
        return cls(tuple(waits))

    @property
    def max_attempts(self) -> int:
        return len(self.waits) + 1

    def next_attempt(self, attempts: int, failed_at: datetime) -> datetime | None:
        """After `attempts` failed attempts (the last at `failed_at`), when to try again; None: give up."""
        if attempts < 1 or attempts > len(self.waits):
            return None
        return failed_at + self.waits[attempts - 1]

    @property
    def span(self) -> timedelta:
        return sum(self.waits, timedelta())


def failing_too_long(failing_since: datetime | None, now: datetime, window: timedelta) -> bool:
    """An endpoint that has failed every attempt since `failing_since` for `window` or more is disabled."""
    return failing_since is not None and now - failing_since >= window
