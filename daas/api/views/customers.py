"""REST: /api/v1/customers."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.auth.roles import CUSTOMER, FINANCE
from daas.customers import services
from daas.schemas.customers import (
    CustomerCreateSchema,
    CustomerQuerySchema,
    CustomerSchema,
    CustomerUpdateSchema,
)
from daas.settings import current_settings
from daas.usecases import customers as use_cases

blp = Blueprint("customers", __name__, url_prefix="/api/v1/customers", description="Customer companies")


@blp.route("")
class Customers(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(CustomerQuerySchema, location="query")
    @blp.response(200, CustomerSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List customers (a customer user sees only its own)."""
        rows, pagination_parameters.item_count = services.list_customers(
            current_principal().customer_scope, args.get("country"), *page_window(pagination_parameters)
        )
        return rows

    @access(blp, FINANCE)
    @blp.arguments(CustomerCreateSchema)
    @blp.response(201, CustomerSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a customer, with the billing address its invoices print."""
        settings = current_settings()
        return use_cases.create_customer(
            data, settings.default_payment_terms_days, issuer_vat_id=settings.issuer.vat_id
        )


@blp.route("/<id:customer_id>")
class CustomerById(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.response(200, CustomerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, customer_id: int) -> Any:
        """Show a customer."""
        return services.get_customer(customer_id, current_principal().customer_scope)

    @access(blp, FINANCE)
    @blp.arguments(CustomerUpdateSchema(partial=True))
    @blp.response(200, CustomerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], customer_id: int) -> Any:
        """Change a customer's details."""
        return use_cases.update_customer(customer_id, data, issuer_vat_id=current_settings().issuer.vat_id)
