"""Reads the admin pages need and the services lack: counts for the overview, customer search and
choices, the users of a customer, metric codes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from daas.auth.models import ROLES, User
from daas.catalog.models import DeviceModel
from daas.customers.models import Customer
from daas.customers.services import customer_names
from daas.devices.models import Device
from daas.extensions import db
from daas.pricing.models import Metric, Plan


def overview_counts() -> dict[str, Any]:
    """What the admin home shows: customers, users by role, device models, plans, devices by status."""

    def count(model: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    by_status = dict(
        db.session.execute(
            select(Device.status, func.count()).group_by(Device.status).order_by(Device.status)
        ).all()
    )
    return {
        "customers": count(Customer),
        "users": {role: by_role.get(role, 0) for role in ROLES},
        "device_models": count(DeviceModel),
        "plans": count(Plan),
        "metrics": count(Metric),
        "devices": by_status,
        "devices_total": sum(by_status.values()),
    }


def search_customers(name: str | None, offset: int = 0, limit: int = 25) -> tuple[list[Customer], int]:
    """Customers by name, those whose name contains `name` (any case) when given; one page and the total."""
    query = select(Customer)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Customer.name.ilike(f"%{escaped}%", escape="\\"))
    rows = db.session.scalars(query.order_by(Customer.name, Customer.id).offset(offset).limit(limit)).all()
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(rows), total


def customer_choices() -> list[tuple[int, str]]:
    """Every customer as (id, "name (number id)") by name, for picking the customer of a user."""
    return [(customer_id, f"{name} (number {customer_id})") for customer_id, name in customer_names().items()]


def users_of_customer(customer_id: int) -> list[User]:
    """The users who sign in for this customer."""
    return list(db.session.scalars(select(User).where(User.customer_id == customer_id).order_by(User.email)))


def metric_codes() -> list[str]:
    """Every metric's code, for the charge rows of a new plan."""
    return list(db.session.scalars(select(Metric.code).order_by(Metric.code)))
