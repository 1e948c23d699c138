"""Customers: adding one and changing its details, as the API and the admin pages start them.

The entry point passes the issuer's own VAT id (`current_settings().issuer.vat_id`): no customer may
carry it (documents.md), and a use case reads no settings."""

from __future__ import annotations

from typing import Any

from daas.contracts.customer_contracts import customer_has_contracts
from daas.customers import services
from daas.customers.models import Customer
from daas.usecases.transaction import use_case


@use_case
def create_customer(
    values: dict[str, Any], default_payment_terms_days: int, *, issuer_vat_id: str
) -> Customer:
    """A new customer; without payment terms of its own it gets the installation's default."""
    return services.create_customer(values, default_payment_terms_days, issuer_vat_id=issuer_vat_id)


@use_case
def update_customer(customer_id: int, changes: dict[str, Any], *, issuer_vat_id: str) -> Customer:
    """Change a customer's details. Contracts are asked whether the customer has any, since a contract fixes
    its currency (a change of currency is then refused, 422 on `currency`)."""
    return services.update_customer(
        customer_id,
        changes,
        has_contracts=customer_has_contracts(customer_id),
        issuer_vat_id=issuer_vat_id,
    )
