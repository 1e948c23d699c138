"""The demo's customers and users with their well-known tokens.

Each is looked up by its natural key (customer name, e-mail) first, so loading again creates no one twice;
the token is derived from the e-mail so benchmarks and docs can sign in without reading it back. A demo
customer loaded before customers had billing addresses and e-invoicing details gets those it lacks (what
it has stays as it is).
"""

from __future__ import annotations

from sqlalchemy import select

from daas.auth import services as auth
from daas.auth.models import User
from daas.customers.models import Customer
from daas.customers.services import ADDRESS_COLUMNS, create_customer, update_customer
from daas.demo.data import DEMO_PASSWORD
from daas.demo.report import DemoReport
from daas.extensions import db


def demo_token(email: str) -> str:
    """The well-known token of a demo user (demo data only: anyone reading this code knows it)."""
    local, domain = email.split("@", maxsplit=1)
    return f"daas_demo_{local.replace('.', '_')}_{domain.split('.', maxsplit=1)[0]}"


_DOCUMENT_DETAILS = ("registration_id", "peppol_id", "buyer_reference", "document_language")


def ensure_customer(values: dict, issuer_vat_id: str | None = None) -> tuple[Customer, bool]:
    existing = db.session.scalar(select(Customer).where(Customer.name == values["name"]))
    if existing is None:
        return create_customer(values, issuer_vat_id=issuer_vat_id), True
    address = values.get("billing_address", {})
    blanks = {
        name: values[name]
        for name in _DOCUMENT_DETAILS
        if values.get(name) and getattr(existing, name) is None
    }
    parts = {part: address[part] for part, column in ADDRESS_COLUMNS.items() if address.get(part)}
    if parts and all(getattr(existing, ADDRESS_COLUMNS[part]) is None for part in ("postcode", "city")):
        blanks["billing_address"] = parts  # the pickup address the migration made line 1 gives way
    if blanks:
        update_customer(existing.id, blanks, has_contracts=True)
    return existing, False


def ensure_user(email: str, role: str, customer_id: int | None, report: DemoReport) -> None:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = auth.create_user(email, role, customer_id, DEMO_PASSWORD)
        report.count("users")
    auth.create_token(user.id, "demo", token=demo_token(email))
    report.logins.append((email, role, demo_token(email)))
