"""Claiming what is due, and recording how sending it went: the same rules for e-mails and webhook
deliveries (both `_Sendable` rows).

A claim is a conditional UPDATE ... RETURNING of due rows (pending, due, no live lease) picked with
`FOR UPDATE SKIP LOCKED` on PostgreSQL: two schedulers claim different rows, and a row is in one
sender's hands at a time. The lease outlives any send (timeouts are far shorter), so a message is sent
twice at once only if its sender outlived its lease; a sender that dies leaves its lease to expire and the
next claim sends the message again: at least once, never lost. The outcome is written only by the lease's
holder; a holder that lost its lease (it was too slow) leaves the row to the one that took it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from daas.core import clock
from daas.core.errors import Conflict, NotFound
from daas.extensions import db
from daas.notifications.models import FAILED, PENDING, SENT, EmailMessage, WebhookDelivery
from daas.notifications.retry_rules import RetrySchedule

Sendable = type[EmailMessage] | type[WebhookDelivery]


def _due(model: Sendable, now: datetime):
    return (
        model.status == PENDING,
        model.next_attempt_at <= now,
        or_(model.lease_until.is_(None), model.lease_until < now),
    )


def claim_due(model: Sendable, owner: str, lease: timedelta, limit: int) -> list[int]:
    """Claim up to `limit` due rows for `owner`, the soonest due first; their ids."""
    now = clock.now()
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT ... SKIP LOCKED): PostgreSQL may run
    # such a subquery more than once and update more rows than the limit. The rows picked are locked until
    # the claim commits; the UPDATE repeats the due condition for SQLite, which has no row locks.
    chosen = db.session.scalars(
        select(model.id)
        .where(*_due(model, now))
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not chosen:
        return []
    claimed = db.session.execute(
        update(model)
        .where(model.id.in_(chosen), *_due(model, now))
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


def _held(model: Sendable, row_id: int, owner: str):
    return (model.id == row_id, model.lease_owner == owner, model.status == PENDING)


def record_sent(model: Sendable, row_id: int, owner: str) -> bool:
    """The row was sent; False when `owner` no longer held it (another sender took it after the lease)."""
    return record_all_sent(model, [row_id], owner) == 1


def record_all_sent(model: Sendable, row_ids: list[int], owner: str) -> int:
    """`record_sent` for a batch, in one statement; how many `owner` still held."""
    if not row_ids:
        return 0
    done = db.session.execute(
        update(model)
        .where(model.id.in_(row_ids), model.lease_owner == owner, model.status == PENDING)
        .values(
            status=SENT,
            sent_at=clock.now(),
            attempts=model.attempts + 1,
            lease_owner=None,
            lease_until=None,
            last_error=None,
        )
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return len(done.all())


def record_failure(
    model: Sendable, row_id: int, owner: str, error: str, retries: RetrySchedule
) -> str | None:
    """Sending failed: retried on the schedule, or failed once it is used up. The new status, or None when
    `owner` no longer held the row."""
    row = db.session.scalar(
        select(model)
        .where(*_held(model, row_id, owner))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    now = clock.now()
    row.attempts += 1
    row.last_error = error[:4000]
    row.lease_owner = None
    row.lease_until = None
    upcoming = retries.next_attempt(row.attempts, now)
    if upcoming is None:
        row.status = FAILED
    else:
        row.next_attempt_at = upcoming
    db.session.flush()
    return row.status


def resend(model: Sendable, row_id: int) -> EmailMessage | WebhookDelivery:
    """Send again (admin's resend of an e-mail, a replay of a webhook delivery): due at once with every
    retry ahead of it (a pending one too: it was waiting for its next try); refused while a sender holds
    it (409). A delivery keeps its event id, so a receiver that checks ids applies it once."""
    row = db.session.get(model, row_id, with_for_update=True, populate_existing=True)
    what = "e-mail" if model is EmailMessage else "webhook delivery"
    if row is None:
        raise NotFound(f"No {what} {row_id}.")
    now = clock.now()
    if row.status == PENDING and row.lease_until is not None and row.lease_until > now:
        raise Conflict(f"The {what} {row_id} is being sent right now; it cannot be sent twice at once.")
    row.attempts = 0  # a new series of tries
    row.status = PENDING
    row.next_attempt_at = now
    row.lease_owner = None
    row.lease_until = None
    db.session.flush()
    return row


def fail_pending(model: Sendable, condition, reason: str) -> int:
    """Give up the pending rows matching `condition` (a disabled endpoint's deliveries)."""
    done = db.session.execute(
        update(model)
        .where(model.status == PENDING, condition)
        .values(
            status=FAILED, last_error=reason, lease_owner=None, lease_until=None, next_attempt_at=clock.now()
        )
        .execution_options(synchronize_session=False)
    )
    return done.rowcount or 0
