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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
