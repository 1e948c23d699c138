"""The demo's customers and users with their well-known tokens.

Each is looked up by its natural key (customer name, e-mail) first, so loading again creates no one twice;
the token is derived from the e-mail so benchmarks and docs can sign in without reading it back.
"""

from __future__ import annotations

from sqlalchemy import select

from daas.auth import services as auth
from daas.auth.models import User
from daas.customers.models import Customer
from daas.customers.services import create_customer
from daas.demo.data import DEMO_PASSWORD
from daas.demo.report import DemoReport
from daas.extensions import db


def demo_token(email: str) -> str:
    """The well-known token of a demo user (demo data only: anyone reading this code knows it)."""
    local, domain = email.split("@", maxsplit=1)
    return f"daas_demo_{local.replace('.', '_')}_{domain.split('.', maxsplit=1)[0]}"


def ensure_customer(values: dict) -> tuple[Customer, bool]:
    existing = db.session.scalar(select(Customer).where(Customer.name == values["name"]))
    return (existing, False) if existing else (create_customer(values), True)


def ensure_user(email: str, role: str, customer_id: int | None, report: DemoReport) -> None:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = auth.create_user(email, role, customer_id, DEMO_PASSWORD)
        report.count("users")
    auth.create_token(user.id, "demo", token=demo_token(email))
    report.logins.append((email, role, demo_token(email)))
