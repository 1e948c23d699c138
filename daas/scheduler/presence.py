"""Whether a scheduler process is running: each one renews its row in `scheduler_heartbeats` from its
heartbeat thread and deletes it when it stops cleanly. Work the pages queue waits for a scheduler, so they
say when none was seen lately instead of leaving a request queued without a word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from daas.extensions import db
from daas.scheduler.models import SchedulerHeartbeat

# A scheduler beats every third of its lease: one not seen for this many leases has stopped (killed, or
# cut off from the database), even though its row is still there.
SILENT_LEASES = 3
# Rows of schedulers that were killed are deleted by the next running scheduler after this long.
FORGOTTEN_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class Presence:
    """`running`: a scheduler was seen within SILENT_LEASES leases; `last_seen`: when one last was."""

    running: bool
    last_seen: datetime | None


def record_heartbeat(owner: str, started_at: datetime, now: datetime) -> None:
    """`owner` is running at `now` (its own row, so no other writer races it); forget long-dead ones."""
    seen = db.session.execute(
        update(SchedulerHeartbeat).where(SchedulerHeartbeat.owner == owner).values(seen_at=now)
    ).rowcount
    if not seen:
        db.session.add(SchedulerHeartbeat(owner=owner, started_at=started_at, seen_at=now))
    db.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.seen_at < now - FORGOTTEN_AFTER))
    db.session.flush()


def sign_off(owner: str) -> None:
    """`owner` stops: the pages say at once that it no longer runs."""
    db.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.owner == owner))


def presence(lease: timedelta, now: datetime) -> Presence:
    """Whether a scheduler whose lease is `lease` (the installation's) is running at `now`."""
    last_seen = db.session.scalar(select(func.max(SchedulerHeartbeat.seen_at)))
    return Presence(last_seen is not None and last_seen >= now - SILENT_LEASES * lease, last_seen)
