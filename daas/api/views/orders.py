"""REST: orders (place, list, show, approve, cancel, allocate) and what a contract's order form offers."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.orders import catalog, order_views, ordering, shipment_views
from daas.orders.models import Order
from daas.schemas.orders import CatalogItemSchema, OrderCreateSchema, OrderQuerySchema, OrderSchema
from daas.usecases import orders as use_cases

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Orders and their allocation")

READERS = ("customer", "logistics", "finance")


def order_body(order: Order) -> dict[str, Any]:
    """What the API shows of an order: the order's own view (ordering.order_view); the order's shipments
    join it here, beside its lines."""
    return {**order_views.order_view(order), "shipments": shipment_views.order_shipments(order.id)}


@blp.route("/orders")
class Orders(MethodView):
    @access(blp, *READERS)
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, OrderSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Orders, newest first, by state, contract or customer (a customer sees its own)."""
        rows, pagination_parameters.item_count = ordering.list_orders(
            args.get("status"),
            args.get("contract_id"),
            args.get("customer_id"),
            *page_window(pagination_parameters),
            customer_scope=current_principal().customer_scope,
        )
        return order_views.order_views(rows)

    @access(blp, "customer", "logistics")
    @idempotent(blp)
    @blp.arguments(OrderCreateSchema)
    @blp.response(201, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Order devices on a contract: approved at once unless a person's monthly allowance is exceeded
        (then `requested`, waiting for an approver)."""
        principal = current_principal()
        order = use_cases.place_order(
            data["contract_id"],
            data["lines"],
            data["requested_date"],
            principal.actor,
            address=data.get("address"),
            region=data.get("region"),
            accept_refurbished=data.get("accept_refurbished", True),
            lowest_grade=data.get("lowest_grade", "B"),
            customer_scope=principal.customer_scope,
        )
        return order_body(order)


@blp.route("/orders/<id:order_id>")
class OrderById(MethodView):
    @access(blp, *READERS)
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, order_id: int) -> Any:
        """Show an order with the serials allocated to each line."""
        return order_body(ordering.get_order(order_id, current_principal().customer_scope))


@blp.route("/orders/<id:order_id>/approve")
class OrderApproval(MethodView):
    @access(blp, "customer", "logistics")
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, order_id: int) -> Any:
        """Approve an order waiting over an allowance (a customer user who may approve, logistics, admin;
        another customer user 403); an order not waiting for approval 409."""
        principal = current_principal()
        order = use_cases.approve_order(
            order_id, principal.actor, principal.role, principal.can_approve, principal.customer_scope
        )
        return order_body(order)


@blp.route("/orders/<id:order_id>/cancel")
class OrderCancellation(MethodView):
    @access(blp, "customer", "logistics")
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, order_id: int) -> Any:
        """Cancel before anything is packed or shipped: devices held for it go back to stock."""
        principal = current_principal()
        return order_body(use_cases.cancel_order(order_id, principal.actor, principal.customer_scope))


@blp.route("/orders/<id:order_id>/allocate")
class OrderAllocation(MethodView):
    @access(blp, "logistics")
    @blp.response(200, OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, order_id: int) -> Any:
        """Hold devices in stock for the units without one, refurbished first: `allocated` when every unit
        holds one, else `backordered`."""
        return order_body(use_cases.allocate_order(order_id, current_principal().actor))


@blp.route("/contracts/<id:contract_id>/catalog")
class ContractCatalog(MethodView):
    @access(blp, "customer", "logistics")
    @blp.response(200, CatalogItemSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, contract_id: int) -> Any:
        """What may be ordered on the contract: each model its plan bills, the monthly price, the
        embodied footprint, and how many are in stock refurbished (grade B or better) and new."""
        return catalog.contract_catalog(contract_id, current_principal().customer_scope)
