"""One row per business event, written in the transaction that made it true (so a rolled-back
transaction leaves none), with the moment it was fanned out into e-mails and webhook deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime
from daas.extensions import db


class OutboxEvent(db.Model):
    """`event_id` (`evt_...`) is what receivers deduplicate on; (`type`, `key`) makes an event recorded
    once per fact (`invoice:42`, `invoice:42:overdue:7`) however often the code that found it runs.
    `customer_id` is whom it is about (None: the provider's own, staff events). `data` is the JSON body
    webhooks carry; `documents` the issued document ids an e-mail attaches. `dispatched_at` is set once
    its e-mails and deliveries exist."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        UniqueConstraint("type", "key"),
        Index("ix_outbox_events_undispatched", "id", postgresql_where=text("dispatched_at IS NULL")),
        Index("ix_outbox_events_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    documents: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Why fanning it out failed (it is dispatched without messages then; admin sees it and may retry).
    dispatch_error: Mapped[str | None] = mapped_column(Text)
