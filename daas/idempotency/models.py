"""The keys clients sent with their requests, one row per caller and key, with the answer to replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime, one_of
from daas.extensions import db
from daas.idempotency.rules import MAX_KEY_LENGTH

IN_FLIGHT = "in_flight"  # claimed: the first request with the key is running
DONE = "done"  # the first request's answer is kept, to be replayed
KEY_STATES = (IN_FLIGHT, DONE)


class IdempotencyKey(db.Model):
    """A key `owner` sent (`user:<id>`: keys are per caller), the request it came with (method, path,
    the body's SHA-256, see daas.idempotency.rules) and, once that request is done, its answer (status
    and JSON body). The unique (owner, key) is the claim: of two requests with one key, one inserts the
    row and runs, the other finds it. A row stands until `expires_at` (24 hours after it was claimed);
    past it the key is free again, and the payments job deletes it."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("owner", "key"),
        CheckConstraint(one_of("state", KEY_STATES), name="state_known"),
        CheckConstraint(
            "state = 'in_flight' OR (status_code IS NOT NULL AND response_body IS NOT NULL)",
            name="done_has_answer",
        ),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
