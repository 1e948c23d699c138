"""REST: pickup slots (and their calendar feed), return orders, refresh orders, and exports."""

from __future__ import annotations

from typing import Any

import icalendar
from flask import Response
from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.core import clock
from daas.downloads import CSV_MIMETYPE, ICALENDAR_MIMETYPE, download, file_response
from daas.logistics import refresh, returns, slots
from daas.logistics.models import RefreshOrder, ReturnOrder
from daas.schemas.logistics import (
    ApproveSchema,
    CompleteSchema,
    DateRangeQuerySchema,
    PickupSchema,
    ReceiveSchema,
    RefreshOrderSchema,
    RefreshQuerySchema,
    RegionQuerySchema,
    RescheduleSchema,
    ReturnOrderCreateSchema,
    ReturnOrderQuerySchema,
    ReturnOrderSchema,
    ScheduleSchema,
    SlotCreateSchema,
    SlotQuerySchema,
    SlotSchema,
    SlotUpdateSchema,
)
from daas.settings import current_settings
from daas.usecases import logistics as use_cases

blp = Blueprint("takeback", __name__, url_prefix="/api/v1", description="Pickups, return and refresh orders")


def return_view(order: ReturnOrder) -> dict[str, Any]:
    return {
        **{
            name: getattr(order, name)
            for name in (
                "id",
                "contract_id",
                "customer_id",
                "reason",
                "status",
                "requested_date",
                "region",
                "address",
                "picked_up_on",
                "carrier",
                "tracking",
                "received_on",
                "refresh_order_id",
            )
        },
        "pickup_date": order.slot.date if order.slot else None,
        "serials": returns.serials_of(order),
    }


def refresh_view(order: RefreshOrder) -> dict[str, Any]:
    return {
        **{
            name: getattr(order, name)
            for name in (
                "id",
                "contract_id",
                "due_date",
                "proposed_action",
                "reason",
                "status",
                "action",
                "replacement_sku",
                "completed_on",
            )
        },
        "serial": refresh.serial_of(order),
        "return_order_id": refresh.return_order_of(order),
    }


# -- pickup slots -------------------------------------------------------------------------------------------


@blp.route("/pickup-slots")
class PickupSlots(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(SlotQuerySchema, location="query")
    @blp.response(200, SlotSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Pickup slots with their capacity and bookings (customers use them to pick a date)."""
        rows, pagination_parameters.item_count = slots.list_slots(
            args.get("region"), args.get("from_"), args.get("to"), *page_window(pagination_parameters)
        )
        return rows

    @access(blp, "logistics")
    @blp.arguments(SlotCreateSchema)
    @blp.response(201, SlotSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Open pickup capacity for a region on a day."""
        return use_cases.open_pickup_slot(data["region"], data["date"], data["capacity"])


@blp.route("/pickup-slots/<id:slot_id>")
class PickupSlotById(MethodView):
    @access(blp, "logistics")
    @blp.arguments(SlotUpdateSchema)
    @blp.response(200, SlotSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict[str, Any], slot_id: int) -> Any:
        """Change a slot's capacity (never below what is booked)."""
        return use_cases.change_pickup_capacity(slot_id, data["capacity"])


@blp.route("/pickup-slots.ics")
class PickupCalendar(MethodView):
    @access(blp, "logistics", calendar_feed=True)
    @blp.arguments(RegionQuerySchema, location="query")
    @file_response(blp, ICALENDAR_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """Scheduled pickups as an iCalendar feed, one all-day event per return order."""
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//daas//pickups//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", f"daas pickups{' ' + args['region'] if args.get('region') else ''}")
        for order, day, serials in returns.scheduled_pickups(args.get("region")):
            event = icalendar.Event()
            event.add("uid", f"return-order-{order.id}@daas")
            event.add("dtstamp", clock.now())
            event.add("dtstart", day)
            event.add(
                "summary", f"Pickup #{order.id}: {len(serials)} device(s), {order.reason.replace('_', ' ')}"
            )
            event.add("location", order.address)
            event.add(
                "description", f"Contract {order.contract_id}, region {order.region}: {', '.join(serials)}"
            )
            calendar.add_component(event)
        return Response(calendar.to_ical(), mimetype=ICALENDAR_MIMETYPE)


# -- return orders ------------------------------------------------------------------------------------------


@blp.route("/return-orders")
class ReturnOrders(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(ReturnOrderQuerySchema, location="query")
    @blp.response(200, ReturnOrderSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Return orders by state (a customer sees its own)."""
        rows, pagination_parameters.item_count = returns.list_return_orders(
            args.get("status"),
            args.get("region"),
            args.get("contract_id"),
            current_principal().customer_scope,
            *page_window(pagination_parameters),
        )
        return [return_view(order) for order in rows]

    @access(blp, "logistics", "customer")
    @blp.arguments(ReturnOrderCreateSchema)
    @blp.response(201, ReturnOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Ask for devices to be collected; the earliest free slot within 14 days is booked, if any."""
        principal = current_principal()
        order = use_cases.request_return(
            data["contract_id"],
            data["serials"],
            data["reason"],
            data["requested_date"],
            data["region"],
            data["address"],
            principal.actor,
            current_settings().booking_window_days,
            principal.customer_scope,
        )
        return return_view(order)


@blp.route("/return-orders/export.csv")
class ReturnOrdersExport(MethodView):
    @access(blp, "logistics")
    @blp.arguments(ReturnOrderQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """Return orders, one row per device."""
        return download(
            returns.return_orders_csv(args.get("status"), args.get("region")),
            CSV_MIMETYPE,
            "return-orders.csv",
        )


@blp.route("/dispositions.csv")
class DispositionsExport(MethodView):
    @access(blp, "logistics")
    @blp.arguments(DateRangeQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """Every disposition (redeploy, refurbish, harvest, recycle) with its grade and wipe certificate."""
        return download(
            returns.dispositions_csv(args.get("from_"), args.get("to")), CSV_MIMETYPE, "dispositions.csv"
        )


@blp.route("/return-orders/<id:order_id>")
class ReturnOrderById(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, ReturnOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, order_id: int) -> Any:
        """Show a return order."""
        return return_view(returns.get_return_order(order_id, current_principal().customer_scope))


@blp.route("/return-orders/<id:order_id>/schedule")
class ReturnOrderSchedule(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(ScheduleSchema)
    @blp.response(200, ReturnOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Book (or move to) the region's slot on a date; 409 when it is full. The old slot is freed."""
        order = use_cases.schedule_pickup(order_id, data["date"], current_principal().customer_scope)
        return return_view(order)


@blp.route("/return-orders/<id:order_id>/pickup")
class ReturnOrderPickup(MethodView):
    @access(blp, "logistics")
    @blp.arguments(PickupSchema)
    @blp.response(200, ReturnOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """The carrier collected the devices: their deployments end that day (not billed)."""
        order = use_cases.record_pickup(
            order_id,
            data["picked_up_on"],
            current_principal().actor,
            data.get("carrier"),
            data.get("tracking"),
        )
        return return_view(order)


@blp.route("/return-orders/<id:order_id>/receive")
class ReturnOrderReceipt(MethodView):
    @access(blp, "logistics")
    @blp.arguments(ReceiveSchema)
    @blp.response(200, ReturnOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """The devices arrived at the warehouse."""
        order = use_cases.receive_return(order_id, data["received_on"], current_principal().actor)
        return return_view(order)


@blp.route("/return-orders/<id:order_id>/cancel")
class ReturnOrderCancellation(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, ReturnOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, order_id: int) -> Any:
        """Cancel before pickup: the slot is freed and the devices stay deployed."""
        principal = current_principal()
        order = use_cases.cancel_return(order_id, principal.actor, principal.customer_scope)
        return return_view(order)


# -- refresh orders -----------------------------------------------------------------------------------------


@blp.route("/refresh-orders")
class RefreshOrders(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(RefreshQuerySchema, location="query")
    @blp.response(200, RefreshOrderSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Refresh orders by state: the proposal (upgrade or replace) and why."""
        rows, pagination_parameters.item_count = refresh.list_refresh_orders(
            args.get("status"), current_principal().customer_scope, *page_window(pagination_parameters)
        )
        return [refresh_view(order) for order in rows]


@blp.route("/refresh-orders/<id:order_id>")
class RefreshOrderById(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, RefreshOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, order_id: int) -> Any:
        """Show a refresh order."""
        return refresh_view(refresh.get_refresh_order(order_id, current_principal().customer_scope))


@blp.route("/refresh-orders/<id:order_id>/approve")
class RefreshApproval(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(ApproveSchema)
    @blp.response(200, RefreshOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Choose upgrade or replace; replacing books the old device's return."""
        principal = current_principal()
        order = use_cases.approve_refresh(
            order_id,
            data["action"],
            principal.actor,
            current_settings().booking_window_days,
            data.get("replacement_sku"),
            principal.customer_scope,
        )
        return refresh_view(order)


@blp.route("/refresh-orders/<id:order_id>/reschedule")
class RefreshReschedule(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(RescheduleSchema)
    @blp.response(200, RefreshOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Move the refresh to another day."""
        order = use_cases.reschedule_refresh(order_id, data["due_date"], current_principal().customer_scope)
        return refresh_view(order)


@blp.route("/refresh-orders/<id:order_id>/complete")
class RefreshCompletion(MethodView):
    @access(blp, "logistics")
    @blp.arguments(CompleteSchema)
    @blp.response(200, RefreshOrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """Done: an upgrade is recorded and moves the due date; a replacement is deployed from that day."""
        order = use_cases.complete_refresh(
            order_id,
            data["completed_on"],
            current_principal().actor,
            current_settings().upgrade,
            data.get("extension_months"),
            data.get("replacement_serial"),
            data.get("kit") or "battery",
        )
        return refresh_view(order)
