"""The customer portal: subscriptions with their devices and usage, the customer's people (with a CSV
import and offboarding), ordering devices and the orders with their shipments, invoices and their credit
notes, the account statement, refresh decisions, returns and the wipe certificates of the devices that
came back, impact statements, planning the fleet, the yearly sustainability report, and how the customer
pays (a card added through Stripe.js).

Every read and write passes the signed-in customer's id as `customer_scope`, so another customer's
object is not found (the 404 page). Views parse a form (`forms`), call the services the API calls and say
what happened; the reads only these pages need are in `queries`. Each section's module registers its views
on the one blueprint, `portal`.
"""

from __future__ import annotations

from flask import Blueprint

from daas.web.pages import add_navigation
from daas.web.portal.common import number
from daas.web.security import secure_page

blp = Blueprint("portal", __name__, url_prefix="/portal")
blp.after_request(secure_page)
blp.add_app_template_filter(number, "portal_quantity")  # app-wide in Jinja: named for the portal
add_navigation(
    "customer",
    ("portal.home", "Overview"),
    ("portal.subscriptions", "Subscriptions"),
    ("portal.people", "People"),
    ("portal.order_devices", "Order devices"),
    ("portal.orders", "Orders"),
    ("portal.invoices", "Invoices"),
    ("portal.statement", "Statement"),
    ("portal.refresh_orders", "Refreshes"),
    ("portal.returns", "Returns"),
    ("portal.plan_fleet", "Plan your fleet"),
    ("portal.sustainability_report", "Sustainability report"),
    ("portal.payment_method", "How you pay"),
)

# The sections register their views on `blp` when imported (after it exists).
from daas.web.portal import (  # noqa: E402
    home,
    invoices,
    notifications,
    orders,
    payment_method,
    people,
    plan_fleet,
    refresh_orders,
    returns,
    statement,
    subscriptions,
    sustainability_report,
    webhooks,
)

__all__ = [
    "blp",
    "home",
    "invoices",
    "notifications",
    "orders",
    "payment_method",
    "people",
    "plan_fleet",
    "refresh_orders",
    "returns",
    "statement",
    "subscriptions",
    "sustainability_report",
    "webhooks",
]
