"""Saved what-if scenarios: a customer's choice of refresh policy, kept to compare again or to apply."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime, one_of
from daas.extensions import db

SCENARIO_KINDS = ("as_is", "extend", "upgrade_first", "refurbished_first")


class SavedScenario(db.Model):
    """One scenario of the planner (`kind` and its `choices`: months per category for `extend`, the share
    for `refurbished_first`), for a customer or one of its contracts; `applied_at` is when it was applied."""

    __tablename__ = "saved_scenarios"
    __table_args__ = (
        CheckConstraint(one_of("kind", SCENARIO_KINDS), name="kind_known"),
        CheckConstraint("horizon_years BETWEEN 1 AND 10", name="horizon_years_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    horizon_years: Mapped[int] = mapped_column(default=4)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    applied_by: Mapped[str | None] = mapped_column(String(254))
