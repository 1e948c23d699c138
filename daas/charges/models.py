"""One-off charges on contracts and the trail of their moves.

A charge belongs to a contract and is billed at most once: the invoice that bills it is recorded on it
when that invoice is finalized (`invoice_id`), and the database refuses a billed charge without one. Its
`idempotency_key` is unique per contract, so a charge sent twice is stored once. Every move of a charge
writes a `charge_events` row, which is never changed or removed (the migration's triggers).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.charges import lifecycle
from daas.contracts.models import Contract
from daas.db import Money, UtcDateTime, one_of
from daas.devices.models import Device
from daas.extensions import db

DESCRIPTION_MAX_LENGTH = 500
IDEMPOTENCY_KEY_MAX_LENGTH = 255


class OneOffCharge(db.Model):
    __tablename__ = "one_off_charges"
    __table_args__ = (
        UniqueConstraint("contract_id", "idempotency_key"),
        CheckConstraint(one_of("kind", lifecycle.KINDS), name="kind_known"),
        CheckConstraint(one_of("status", lifecycle.STATUSES), name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            f"status <> '{lifecycle.BILLED}' OR invoice_id IS NOT NULL", name="billed_on_invoice"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Net, in the contract's currency.
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX_LENGTH))
    # The day it is charged for: it is billed on the invoice of the period holding that day (or a later one).
    charge_on: Mapped[date] = mapped_column(Date)
    idempotency_key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY_MAX_LENGTH))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    # What finance said when it approved, waived, upheld or granted.
    decision_note: Mapped[str | None] = mapped_column(Text)
    # The finalized invoice that billed it, and the credit note of a granted dispute of a billed charge.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_notes.id"))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    device: Mapped[Device | None] = relationship(viewonly=True)
    events: Mapped[list[ChargeEvent]] = relationship(order_by="ChargeEvent.id", viewonly=True)
    contract: Mapped[Contract] = relationship(viewonly=True)
    # daas.billing's, named by string: billing sits above charges and reads them, never the other way.
    invoice: Mapped[Any] = relationship("Invoice", viewonly=True)

    @property
    def currency(self) -> str:
        return self.contract.currency

    @property
    def device_serial(self) -> str | None:
        return self.device.serial if self.device is not None else None

    @property
    def invoice_number(self) -> str | None:
        return self.invoice.number if self.invoice is not None else None


class ChargeEvent(db.Model):
    """One move of a charge: from which state (none when it was created) to which, who, why, when."""

    __tablename__ = "charge_events"
    __table_args__ = (
        CheckConstraint(one_of("to_status", lifecycle.STATUSES), name="to_status_known"),
        CheckConstraint(
            f"from_status IS NULL OR {one_of('from_status', lifecycle.STATUSES)}", name="from_status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("one_off_charges.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
