"""Admin pages: an overview of the platform, customers, users and their API tokens, the device catalog
(with the footprint import), price plans with their metrics, and the grid factors (with their upload).

Views parse a form (`forms`), call the services the API calls (customers, auth, catalog, pricing) and say
what happened; the few reads the services lack (a name search, counts for the overview) are in `queries`.
Each section's module registers its views on the one blueprint, `admin`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, render_template, request

from daas.auth.roles import ADMIN
from daas.core import money
from daas.core.countries import country_name
from daas.web.pages import add_navigation
from daas.web.security import secure_page

blp = Blueprint("admin", __name__, url_prefix="/admin")
blp.after_request(secure_page)
add_navigation(
    ADMIN,
    ("admin.home", "Overview"),
    ("admin.customers", "Customers"),
    ("admin.users", "Users"),
    ("admin.catalog", "Catalog"),
    ("admin.plans", "Plans"),
)


@blp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "unit_amount": money.format_unit_amount,
        "quantity": lambda value: f"{Decimal(value).normalize():f}",
        "country_name": country_name,
    }


def form_page(template: str, **context: Any) -> tuple[str, int]:
    """A form page: 422 when it comes back to a POST with errors to fix."""
    return render_template(template, **context), 422 if request.method == "POST" else 200


# The sections register their views on `blp` when imported (after it exists).
from daas.web.admin import (  # noqa: E402, F401
    catalog,
    customers,
    grid_factors,
    home,
    outbox,
    plans,
    users,
    webhooks,
)

# After the sections' own entries: finance's workshop pages (the portfolio, any customer's report and
# planner), which admin may open too.
add_navigation(ADMIN, ("finance.sustainability", "Sustainability"))
