"""Customers: create, change, find; a customer user only ever sees its own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from daas.core.errors import Invalid, NotFound
from daas.customers.models import Customer
from daas.customers.rules import normalize_vat_id, vat_id_problem
from daas.db import fetch_page
from daas.extensions import db

DEFAULT_PAYMENT_TERMS_DAYS = 30


def _check_vat_id(values: dict[str, Any], country: str) -> None:
    vat_id = values.get("vat_id")
    if vat_id:
        problem = vat_id_problem(vat_id, country)
        if problem:
            raise Invalid.field("vat_id", problem)
        values["vat_id"] = normalize_vat_id(vat_id, country)


def create_customer(
    values: dict[str, Any], default_payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS
) -> Customer:
    values = dict(values)
    _check_vat_id(values, values["country"])
    values.setdefault("payment_terms_days", default_payment_terms_days)
    customer = Customer(**values)
    db.session.add(customer)
    db.session.flush()
    return customer


def update_customer(
    customer_id: int, changes: dict[str, Any], *, has_contracts: bool, customer_scope: int | None = None
) -> Customer:
    """Change a customer's details. Its currency can only change while no contract bills in the old one:
    `has_contracts` is that answer, which contracts (above customers) give the calling use case."""
    customer = get_customer(customer_id, customer_scope)
    changes = dict(changes)
    country = changes.get("country", customer.country)
    if "vat_id" in changes or "country" in changes:
        changes.setdefault("vat_id", customer.vat_id)
        _check_vat_id(changes, country)
    if "currency" in changes and changes["currency"] != customer.currency and has_contracts:
        raise Invalid.field("currency", "The customer has contracts; their plans fix its currency.")
    for name, value in changes.items():
        setattr(customer, name, value)
    db.session.flush()
    return customer


def get_customer(customer_id: int, customer_scope: int | None = None) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None or (customer_scope is not None and customer.id != customer_scope):
        raise NotFound(f"No customer {customer_id}.")
    return customer


def list_customers(
    customer_scope: int | None = None, country: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[Customer], int]:
    query = select(Customer)
    if customer_scope is not None:
        query = query.where(Customer.id == customer_scope)
    if country:
        query = query.where(Customer.country == country)
    return fetch_page(query.order_by(Customer.id), offset, limit)


def customer_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    """Names by customer id, in name order: of these customers, or of every customer (for a picker)."""
    query = select(Customer.id, Customer.name).order_by(Customer.name, Customer.id)
    if ids is not None:
        ids = set(ids)
        if not ids:
            return {}
        query = query.where(Customer.id.in_(ids))
    return dict(db.session.execute(query).all())
