"""Customers: create, change, find; a customer user only ever sees its own.

What an invoice says about its buyer is checked here, whoever sends it (the API, the admin pages, the
demo): the VAT id against the country and against the issuer's own (which the entry point passes in: a
service reads no settings), the billing address (in the customer's country), the legal registration id
and Peppol id (`scheme:value` with a scheme Peppol knows), the document language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from sqlalchemy import select

from daas.core.errors import Invalid, NotFound
from daas.core.languages import LANGUAGES
from daas.customers import rules
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.extensions import db

DEFAULT_PAYMENT_TERMS_DAYS = 30

# The billing address's parts (API `billing_address`) and the columns keeping them; its country is the
# customer's `country`. Every part but line2 is required of a new customer (by the API and the form) and
# may not be emptied later.
ADDRESS_COLUMNS = {"line1": "address_line1", "line2": "address_line2", "postcode": "postcode", "city": "city"}
REQUIRED_ADDRESS_PARTS = ("line1", "postcode", "city")


def create_customer(
    values: dict[str, Any],
    default_payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS,
    *,
    issuer_vat_id: str | None = None,
) -> Customer:
    """A new customer from its details (`billing_address` as {line1, line2, postcode, city, country?});
    `issuer_vat_id`, the issuer's own VAT id, is refused as the customer's."""
    values = dict(values)
    _check_vat_id(values, values["country"], issuer_vat_id)
    _check_document_details(values, values["country"])
    values.setdefault("payment_terms_days", default_payment_terms_days)
    customer = Customer(**values)
    db.session.add(customer)
    db.session.flush()
    return customer


def update_customer(
    customer_id: int,
    changes: dict[str, Any],
    *,
    has_contracts: bool,
    customer_scope: int | None = None,
    issuer_vat_id: str | None = None,
) -> Customer:
    """Change a customer's details (`billing_address` may name only the parts that change). Its currency
    can only change while no contract bills in the old one: `has_contracts` is that answer, which contracts
    (above customers) give the calling use case."""
    customer = get_customer(customer_id, customer_scope)
    changes = dict(changes)
    country = changes.get("country", customer.country)
    if "vat_id" in changes or "country" in changes:
        changes.setdefault("vat_id", customer.vat_id)
        _check_vat_id(changes, country, issuer_vat_id)
    if "country" in changes:  # a Dutch customer's registration id has a Dutch scheme
        changes.setdefault("registration_id", customer.registration_id)
    _check_document_details(changes, country)
    if "currency" in changes and changes["currency"] != customer.currency and has_contracts:
        raise Invalid.field("currency", "The customer has contracts; their plans fix its currency.")
    for name, value in changes.items():
        setattr(customer, name, value)
    db.session.flush()
    return customer


def _check_vat_id(values: dict[str, Any], country: str, issuer_vat_id: str | None) -> None:
    vat_id = values.get("vat_id")
    if vat_id:
        problem = rules.vat_id_problem(vat_id, country)
        if problem:
            raise Invalid.field("vat_id", problem)
        if issuer_vat_id and rules.same_vat_id(vat_id, issuer_vat_id):
            raise Invalid.field("vat_id", rules.ISSUER_VAT_ID_MESSAGE)
        values["vat_id"] = rules.normalize_vat_id(vat_id, country)


def _check_document_details(values: dict[str, Any], country: str) -> None:
    """Check what invoices say of the customer, among `values`, and turn it into columns (in place)."""
    if "billing_address" in values:
        values.update(_address_columns(values.pop("billing_address") or {}, country))
    for name, problem_of in (
        ("registration_id", lambda text: rules.registration_id_problem(text, country)),
        ("peppol_id", rules.peppol_id_problem),
    ):
        if name in values:
            text = (values[name] or "").strip()
            if text and (problem := problem_of(text)) is not None:
                raise Invalid.field(name, problem)
            values[name] = rules.normalize_scheme_id(text) if text else None
    if "buyer_reference" in values:
        values["buyer_reference"] = (values["buyer_reference"] or "").strip() or None
    language = values.get("document_language")
    if language is not None and language not in LANGUAGES:
        raise Invalid.field("document_language", f"One of {', '.join(LANGUAGES)}, or none for the country's.")


def _address_columns(address: dict[str, Any], country: str) -> dict[str, Any]:
    if address.get("country", country) != country:
        _address_problem("country", f"The billing address is in the customer's country, {country}.")
    columns = {}
    for part, column in ADDRESS_COLUMNS.items():
        if part in address:
            text = (address[part] or "").strip()
            if not text and part in REQUIRED_ADDRESS_PARTS:
                _address_problem(part, "Required: every invoice prints it.")
            columns[column] = text or None
    return columns


def _address_problem(part: str, message: str) -> NoReturn:
    raise Invalid(f"billing_address.{part}: {message}", errors={"billing_address": {part: [message]}})


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
