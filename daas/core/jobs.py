"""What a scheduled job receives, and how it is asked to stop.

Job functions live in their domain (`daas/<domain>/jobs.py`) and take one `JobContext`; the scheduler
(`daas/scheduler/`) calls them. Keeping this in `core` lets domains offer jobs without importing the
scheduler.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class JobStopped(Exception):
    """Raised inside a job at a safe point when its scheduler is shutting down: the work committed so far
    stays, and the next run of the same due time carries on from there."""


class JobFailed(Exception):
    """A job could not do its work for a reason worth reading in the job run's record (not a bug)."""


@dataclass(frozen=True)
class JobContext:
    """One run of a job: the installation's settings (daas.settings.Settings), the due time it runs for,
    and the scheduler's stop request."""

    settings: Any
    due: datetime
    stop: threading.Event = field(default_factory=threading.Event)

    def checkpoint(self) -> None:
        """Call between units of committed work; raises `JobStopped` once a stop was requested."""
        if self.stop.is_set():
            raise JobStopped("stopped at shutdown; the work committed so far is kept")
