"""Claiming a key, keeping the answer of its request, letting it go, and forgetting expired keys.

The claim is an INSERT ... ON CONFLICT DO NOTHING on the unique (owner, key): of two requests with one key
at the same moment, one inserts the row and runs; the other waits for that insert to commit, inserts
nothing and reads the row: the same request still running (Conflict, 409), the same request done (its
answer, to replay), or another request (Invalid, 422). An expired row is deleted first, so an old key is
claimed afresh, under a new id. Every later write names the claim's id and its state, so an answer is
never kept on a row another request claimed.

These functions run their statements at once and never commit: daas.usecases.idempotency does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from daas.core.errors import Conflict, Invalid
from daas.db import insert_ignoring_conflicts
from daas.extensions import db
from daas.idempotency.models import DONE, IN_FLIGHT, IdempotencyKey
from daas.idempotency.rules import KEEP_FOR, KEY_FIELD, Fingerprint

# Between the insert that found the key taken and the read of it, its request may have let it go (it
# failed before doing anything): the next try claims it. Bounded, so a database that keeps refusing for
# another reason ends in an error rather than a loop.
_CLAIM_TRIES = 3

REUSED = (
    f"This {KEY_FIELD} was sent with another request (method, path or body) in the last 24 hours: "
    "a key stands for one request; send a new key for a new request."
)
IN_PROGRESS = (
    f"A request with this {KEY_FIELD} is still being processed. Try again once it is done to get its "
    "answer; if it was interrupted, check what it did and send a new key."
)


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: run it, then keep its answer (`finish`) or let the key go (`release`)."""

    id: int


@dataclass(frozen=True)
class Replay:
    """The key's request was done: answer what it answered."""

    status_code: int
    body: str


def claim(owner: str, key: str, request: Fingerprint, now: datetime) -> Claimed | Replay:
    """Claim `key` of `owner` for `request` (in flight from now, kept until 24 hours from now), or the
    answer the same request got with it before; Invalid when the key came with another request, Conflict
    while the same request is still in flight."""
    table = IdempotencyKey.__table__
    for _ in range(_CLAIM_TRIES):
        db.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.owner == owner, IdempotencyKey.key == key, IdempotencyKey.expires_at <= now
            )
        )
        claimed_id = db.session.scalar(
            insert_ignoring_conflicts(table, "owner", "key")
            .values(
                owner=owner,
                key=key,
                method=request.method,
                path=request.path,
                body_sha256=request.body_sha256,
                state=IN_FLIGHT,
                created_at=now,
                expires_at=now + KEEP_FOR,
            )
            .returning(table.c.id)
        )
        if claimed_id is not None:
            return Claimed(claimed_id)
        row = db.session.scalar(
            select(IdempotencyKey)
            .where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
            .execution_options(populate_existing=True)
        )
        if row is None or row.expires_at <= now:
            continue  # let go, or expired, since the insert: claim it again
        if Fingerprint(row.method, row.path, row.body_sha256) != request:
            raise Invalid(REUSED, errors={KEY_FIELD: [REUSED]})
        if row.state == IN_FLIGHT:
            raise Conflict(IN_PROGRESS, errors={KEY_FIELD: [IN_PROGRESS]})
        return Replay(row.status_code, row.response_body)  # a done row has both (done_has_answer)
    raise Conflict(f"The {KEY_FIELD} could not be claimed; try again.", errors={KEY_FIELD: ["Try again."]})


def finish(claimed: Claimed, status_code: int, body: str) -> bool:
    """Keep the answer of the claimed request; False when the claim is gone (it expired meanwhile)."""
    result = db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claimed.id, IdempotencyKey.state == IN_FLIGHT)
        .values(state=DONE, status_code=status_code, response_body=body)
    )
    return result.rowcount == 1


def release(claimed: Claimed) -> None:
    """Let the key go: its request was refused before it ran, or failed having done nothing."""
    db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.id == claimed.id, IdempotencyKey.state == IN_FLIGHT)
    )


def forget_expired(now: datetime) -> int:
    """Delete the keys kept past their 24 hours; how many."""
    return db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now)).rowcount
