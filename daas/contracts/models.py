"""Contracts, their plan history, and deployments of devices to them.

Dates are whole days and ranges are half-open, as billing.md counts them: a contract covers
[start_date, end_date) and a deployment [start_date, end_date): the end day is not billed.
A device is on at most one contract on any day: on PostgreSQL an exclusion constraint over the
deployment's date range, on SQLite a trigger (both in the migration), plus one open deployment per device.

A contract's plans follow each other without gap or overlap (`contract_plans`, [starts_on, ends_on), the
last one open): one row per start day, at most one open row, and on PostgreSQL an exclusion constraint
over the rows' date ranges. `contracts.plan_id` names the plan of the last row, the one the contract is on
or moving to.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.contracts.plan_changes import PlanSpan, in_force
from daas.customers.models import Customer
from daas.db import Money, UtcDateTime
from daas.devices.models import Device
from daas.extensions import db
from daas.pricing.models import Plan


class Contract(db.Model):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="ends_after_start"),
        CheckConstraint("CAST(minimum_monthly_amount AS NUMERIC) >= 0", name="minimum_not_negative"),
        CheckConstraint("renewal_months BETWEEN 1 AND 120", name="renewal_months_range"),
        CheckConstraint("renewal_notice_days BETWEEN 0 AND 365", name="renewal_notice_days_range"),
        CheckConstraint(
            "refresh_cycle_months IS NULL OR refresh_cycle_months BETWEEN 1 AND 120",
            name="refresh_cycle_months_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    # First day no longer covered; the term's end unless the contract was terminated early.
    end_date: Mapped[date] = mapped_column(Date)
    minimum_monthly_amount: Mapped[Decimal | None] = mapped_column(Money)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    # How documents name the contract (BT-12), `C-000123` from the id unless given.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    # The customer's purchase order (BT-13) its invoices quote.
    purchase_order: Mapped[str | None] = mapped_column(String(100))
    # Auto-renewal (contracts.renewal_rules): on its end date the contract extends itself by
    # `renewal_months`, unless `renews` was turned off at least `renewal_notice_days` before; the day it
    # was last turned off is `renewal_stopped_on`.
    renews: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    renewal_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    renewal_notice_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    renewal_stopped_on: Mapped[date | None] = mapped_column(Date)
    # The contract's own refresh cycle, replacing its plan's (a what-if scenario applied); null: the plan's.
    refresh_cycle_months: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    customer: Mapped[Customer] = relationship()
    plan: Mapped[Plan] = relationship()
    plans: Mapped[list[ContractPlan]] = relationship(order_by="ContractPlan.starts_on", viewonly=True)

    @property
    def currency(self) -> str:
        return self.plan.currency

    def plan_on(self, day: date) -> ContractPlan | None:
        """The row of its history in force on `day` (before its start the first, after its end the last);
        None for a contract without history rows (written outside the services)."""
        rows = self.plans
        if not rows:
            return None
        spans = [PlanSpan(row, row.starts_on, row.ends_on) for row in rows]
        return in_force(spans, day).plan


class ContractPlan(db.Model):
    """One plan of a contract's history, in force over [starts_on, ends_on); the last row is open (null).
    `minimum_monthly_amount` is the minimum the change set; null bills the contract's own minimum if it has
    one, else the plan's. `created_by` is who made the change."""

    __tablename__ = "contract_plans"
    __table_args__ = (
        UniqueConstraint("contract_id", "starts_on"),
        CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="ends_after_start"),
        CheckConstraint("CAST(minimum_monthly_amount AS NUMERIC) >= 0", name="minimum_not_negative"),
        Index(
            "ix_contract_plans_contract_id_open",
            "contract_id",
            unique=True,
            postgresql_where=text("ends_on IS NULL"),
            sqlite_where=text("ends_on IS NULL"),
        ),
        ExcludeConstraint(
            ("contract_id", "="),
            (func.daterange(text("starts_on"), text("ends_on"), text("'[)'")), "&&"),
            name="ex_contract_plans_days",
            using="gist",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    minimum_monthly_amount: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(254))

    plan: Mapped[Plan] = relationship()

    @property
    def currency(self) -> str:
        return self.plan.currency


class Deployment(db.Model):
    __tablename__ = "deployments"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        Index(
            "ix_deployments_device_id_open",
            "device_id",
            unique=True,
            postgresql_where=text("end_date IS NULL"),
            sqlite_where=text("end_date IS NULL"),
        ),
        ExcludeConstraint(
            ("device_id", "="),
            (func.daterange(text("start_date"), text("end_date"), text("'[)'")), "&&"),
            name="ex_deployments_device_days",
            using="gist",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # The person of the customer the device serves; reassigning it changes no billing.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    device: Mapped[Device] = relationship()
    contract: Mapped[Contract] = relationship()


class ContractRenewal(db.Model):
    """One renewal of a contract: its end date moved from `from_end_date` to `to_end_date`. A contract
    renews once from a given end date (the unique constraint), however many schedulers run the job."""

    __tablename__ = "contract_renewals"
    __table_args__ = (
        UniqueConstraint("contract_id", "from_end_date"),
        CheckConstraint("to_end_date > from_end_date", name="moves_later"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    from_end_date: Mapped[date] = mapped_column(Date)
    to_end_date: Mapped[date] = mapped_column(Date)
    months: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))
    renewed_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
