"""A customer's employees: who a device serves, where it is delivered and collected, and what they may
order each month without an approver."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import Money, UtcDateTime, one_of
from daas.extensions import db


class PersonStatus:
    """active; leaving once offboarding has booked the return of their devices; left once collected."""

    ACTIVE = "active"
    LEAVING = "leaving"
    LEFT = "left"


PERSON_STATUSES = (PersonStatus.ACTIVE, PersonStatus.LEAVING, PersonStatus.LEFT)


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = (
        # E-mail addresses are matched case-insensitively: `email_key` is the lower-cased address.
        UniqueConstraint("customer_id", "email_key"),
        CheckConstraint(one_of("status", PERSON_STATUSES), name="status_known"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint(
            "monthly_allowance IS NULL OR CAST(monthly_allowance AS NUMERIC) >= 0",
            name="allowance_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    cost_centre: Mapped[str | None] = mapped_column(String(100))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    # For delivery and pickup slots; the customer's pickup region unless given.
    region: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=PersonStatus.ACTIVE)
    # In the contract currency; None: no order for this person ever needs an approver.
    monthly_allowance: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())
