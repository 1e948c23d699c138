"""Test data through the services, with sensible defaults: each helper makes one thing and returns it."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from daas.auth import services as auth
from daas.catalog.services import create_device_model
from daas.contracts import services as contracts
from daas.customers.services import create_customer
from daas.devices.services import register_device
from daas.pricing import services as pricing

_seq = itertools.count(1)
ACTOR = "tests@daas.example"


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


def customer(**values: Any) -> Any:
    defaults = {
        "name": unique("Customer"),
        "country": "NL",
        "currency": "EUR",
        "billing_email": "ap@example.com",
    }
    return create_customer({**defaults, **values})


def device_model(**values: Any) -> Any:
    defaults = {
        "sku": unique("SKU"),
        "name": "Latitude 5430",
        "category": "laptop",
        "manufacturer": "Dell",
        "weight_kg": Decimal("1.360"),
        "embodied_co2e_kg": Decimal("252.840"),
        "use_kwh_per_year": Decimal("23.360"),
        "expected_lifetime_months": 48,
    }
    return create_device_model({**defaults, **values})


def metric(**values: Any) -> Any:
    defaults = {"code": unique("metric"), "name": "Support tickets", "aggregation": "count"}
    return pricing.create_metric({**defaults, **values})


def plan(**values: Any) -> Any:
    defaults = {
        "code": unique("plan"),
        "name": "Laptop Standard",
        "currency": "EUR",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "minimum_monthly_amount": None,
        "charges": [{"kind": "device_monthly", "unit_amount": Decimal("39.00")}],
    }
    return pricing.create_plan({**defaults, **values})


def contract(
    customer_id: int | None = None,
    plan_code: str | None = None,
    start_date: date = date(2026, 1, 1),
    **values: Any,
) -> Any:
    customer_id = customer_id or customer().id
    plan_code = plan_code or plan().code
    return contracts.create_contract(customer_id, plan_code, start_date, **values)


def device(
    sku: str | None = None, serial: str | None = None, on: date = date(2025, 12, 1), **values: Any
) -> Any:
    return register_device(serial or unique("SN"), sku or device_model().sku, ACTOR, on=on, **values)


def user(
    role: str, customer_id: int | None = None, email: str | None = None, password: str | None = None
) -> Any:
    return auth.create_user(email or f"{unique(role)}@example.com", role, customer_id, password)


def token(role: str, customer_id: int | None = None, scope: str = "api") -> str:
    return auth.create_token(user(role, customer_id).id, "tests", scope=scope)[1]


# A device model as an API client sends it (the Dell Latitude 5430 of the default catalog).
LAPTOP_BODY = {
    "sku": "DELL-LAT-5430",
    "name": "Latitude 5430",
    "category": "laptop",
    "manufacturer": "Dell",
    "weight_kg": "1.36",
    "embodied_co2e_kg": "252.84",
    "use_kwh_per_year": "23.36",
    "expected_lifetime_months": 48,
    "source": "https://www.delltechnologies.com/asset/en-us/products/laptops-and-2-in-1s/technical-support/"
    "dell-latitude-5430-pcf-datasheet.pdf",
}
