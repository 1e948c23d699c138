"""A customer company: where it is (for VAT), what it pays in, how long it has to pay, and what its
invoices say about it (billing address, registration and Peppol ids, buyer reference, language)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime
from daas.extensions import db


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms_range"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint("fiscal_year_start_month BETWEEN 1 AND 12", name="fiscal_year_start_month_range"),
        CheckConstraint(
            "consolidation_approach IN ('operational_control', 'financial_control', 'equity_share')",
            name="consolidation_approach_known",
        ),
        CheckConstraint("embodied_scope3_category IN (1, 8)", name="embodied_scope3_category_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    billing_email: Mapped[str] = mapped_column(String(254))
    payment_terms_days: Mapped[int]
    # Where devices are collected from by default (end-of-term returns the planner opens).
    pickup_region: Mapped[str | None] = mapped_column(String(32))
    pickup_address: Mapped[str | None] = mapped_column(String(500))
    # The billing address (BG-8) in `country`; customers created before it existed may lack parts of it.
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    # `scheme:value`: legal registration id (a Peppol ICD scheme) and Peppol participant id (an EAS scheme).
    registration_id: Mapped[str | None] = mapped_column(String(100))
    peppol_id: Mapped[str | None] = mapped_column(String(100))
    # BT-10, printed on every invoice unless a contract's purchase order replaces it.
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    # en | nl | de | fr; None means the default of its country (daas.core.languages).
    document_language: Mapped[str | None] = mapped_column(String(2))
    # Reporting choices of its sustainability report (workshop): the month its fiscal year starts (1: the
    # calendar year), its GHG Protocol consolidation approach (operational control puts use-phase
    # electricity in Scope 2, else Scope 3 category 8) and where embodied emissions go (Scope 3 category 1,
    # a purchased service, or 8, leased assets).
    fiscal_year_start_month: Mapped[int] = mapped_column(default=1, server_default="1")
    consolidation_approach: Mapped[str] = mapped_column(
        String(24), default="operational_control", server_default="operational_control"
    )
    embodied_scope3_category: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
