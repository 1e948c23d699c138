"""REST: delivery slots (and their calendar feed) and shipments, from packing to delivery or failure, with
their packing slips."""

from __future__ import annotations

from typing import Any

import icalendar
from flask import Response
from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.core import clock
from daas.downloads import ICALENDAR_MIMETYPE, PDF_MIMETYPE, download, file_response
from daas.orders import delivery_slots, shipment_views
from daas.orders.models import Shipment
from daas.schemas.logistics import (
    RegionQuerySchema,
    SlotCreateSchema,
    SlotQuerySchema,
    SlotSchema,
    SlotUpdateSchema,
)
from daas.schemas.shipments import (
    DeliverSchema,
    FailSchema,
    ShipmentCreateSchema,
    ShipmentQuerySchema,
    ShipmentSchema,
    ShipSchema,
)
from daas.settings import current_settings
from daas.usecases import shipments as use_cases

blp = Blueprint("shipments", __name__, url_prefix="/api/v1", description="Delivery slots and shipments")


def shipment_view(shipment: Shipment) -> dict[str, Any]:
    return {
        **{
            name: getattr(shipment, name)
            for name in (
                "id",
                "order_id",
                "status",
                "region",
                "reusable_box_id",
                "carrier",
                "tracking",
                "shipped_on",
                "delivered_on",
                "received_by",
                "failed_on",
                "retry",
                "return_order_id",
                "created_at",
            )
        },
        **shipment_views.order_facts(shipment),
        "address": {
            "line1": shipment.address_line1,
            "line2": shipment.address_line2,
            "postcode": shipment.postcode,
            "city": shipment.city,
            "country": shipment.country,
        },
        "delivery_date": shipment.slot.date if shipment.slot else None,
        "serials": shipment_views.serials_of(shipment),
        "packaging": [{"material": item.material, "kg": item.kg} for item in shipment.packaging],
    }


# -- delivery slots -----------------------------------------------------------------------------------------


@blp.route("/delivery-slots")
class DeliverySlots(MethodView):
    @access(blp, "logistics")
    @blp.arguments(SlotQuerySchema, location="query")
    @blp.response(200, SlotSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Delivery slots with their capacity and the shipments booked on them."""
        rows, pagination_parameters.item_count = delivery_slots.list_slots(
            args.get("region"), args.get("from_"), args.get("to"), *page_window(pagination_parameters)
        )
        return rows

    @access(blp, "logistics")
    @blp.arguments(SlotCreateSchema)
    @blp.response(201, SlotSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Open delivery capacity (in shipments) for a region on a day."""
        return use_cases.open_delivery_slot(data["region"], data["date"], data["capacity"])


@blp.route("/delivery-slots/<id:slot_id>")
class DeliverySlotById(MethodView):
    @access(blp, "logistics")
    @blp.arguments(SlotUpdateSchema)
    @blp.response(200, SlotSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict[str, Any], slot_id: int) -> Any:
        """Change a delivery slot's capacity (never below what is booked)."""
        return use_cases.change_delivery_capacity(slot_id, data["capacity"])


@blp.route("/delivery-slots.ics")
class DeliveryCalendar(MethodView):
    @access(blp, "logistics", calendar_feed=True)
    @blp.arguments(RegionQuerySchema, location="query")
    @file_response(blp, ICALENDAR_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """Booked deliveries as an iCalendar feed, one all-day event per open shipment with a slot."""
        region = args.get("region")
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//daas//deliveries//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", f"daas deliveries{' ' + region if region else ''}")
        for shipment, day, serials in delivery_slots.booked_deliveries(region):
            event = icalendar.Event()
            event.add("uid", f"shipment-{shipment.id}@daas")
            event.add("dtstamp", clock.now())
            event.add("dtstart", day)
            event.add(
                "summary", f"Delivery #{shipment.id}: {len(serials)} device(s), order {shipment.order_id}"
            )
            event.add(
                "location",
                ", ".join(
                    part
                    for part in (
                        shipment.address_line1,
                        shipment.address_line2,
                        f"{shipment.postcode} {shipment.city}",
                        shipment.country,
                    )
                    if part
                ),
            )
            event.add(
                "description",
                f"Order {shipment.order_id}, region {shipment.region}: {', '.join(serials)}",
            )
            calendar.add_component(event)
        return Response(calendar.to_ical(), mimetype=ICALENDAR_MIMETYPE)


# -- shipments ----------------------------------------------------------------------------------------------


@blp.route("/shipments")
class Shipments(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(ShipmentQuerySchema, location="query")
    @blp.response(200, ShipmentSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Shipments by state, order, region or customer (a customer sees its own: tracking and the
        expected delivery date)."""
        rows, pagination_parameters.item_count = shipment_views.list_shipments(
            args.get("status"),
            args.get("order_id"),
            args.get("region"),
            args.get("customer_id"),
            current_principal().customer_scope,
            *page_window(pagination_parameters),
        )
        return [shipment_view(shipment) for shipment in rows]

    @access(blp, "logistics")
    @idempotent(blp)
    @blp.arguments(ShipmentCreateSchema)
    @blp.response(201, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any]) -> Any:
        """Pack reserved devices of an order, in packaging or a reusable box; the earliest delivery slot of
        the order's region with room within the booking window is booked (none: `delivery_date` null)."""
        shipment = use_cases.create_shipment(
            data["order_id"],
            data["serials"],
            current_principal().actor,
            packaging=data.get("packaging"),
            reusable_box_id=data.get("reusable_box_id"),
            return_order_id=data.get("return_order_id"),
            window_days=current_settings().booking_window_days,
        )
        return shipment_view(shipment)


@blp.route("/shipments/<id:shipment_id>")
class ShipmentById(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, shipment_id: int) -> Any:
        """Show a shipment."""
        return shipment_view(shipment_views.get_shipment(shipment_id, current_principal().customer_scope))


@blp.route("/shipments/<id:shipment_id>/ship")
class ShipmentShip(MethodView):
    @access(blp, "logistics")
    @blp.arguments(ShipSchema)
    @blp.response(200, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], shipment_id: int) -> Any:
        """The carrier took the shipment: its devices are in transit to the customer."""
        shipment = use_cases.ship_shipment(
            shipment_id, data["carrier"], data["tracking"], data.get("shipped_on"), current_principal().actor
        )
        return shipment_view(shipment)


@blp.route("/shipments/<id:shipment_id>/deliver")
class ShipmentDelivery(MethodView):
    @access(blp, "logistics")
    @blp.arguments(DeliverSchema)
    @blp.response(200, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], shipment_id: int) -> Any:
        """Delivered: each device is deployed on the order's contract from `delivered_on`, its first
        billed day, for its line's person."""
        shipment = use_cases.deliver_shipment(
            shipment_id, data["delivered_on"], data["received_by"], current_principal().actor
        )
        return shipment_view(shipment)


@blp.route("/shipments/<id:shipment_id>/fail")
class ShipmentFailure(MethodView):
    @access(blp, "logistics")
    @blp.arguments(FailSchema)
    @blp.response(200, ShipmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], shipment_id: int) -> Any:
        """The delivery failed; the slot is freed. `retry`: the devices wait for a new shipment; otherwise
        they go back to stock and the order is backordered."""
        shipment = use_cases.fail_shipment(shipment_id, data["retry"], current_principal().actor)
        return shipment_view(shipment)


@blp.route("/shipments/<id:shipment_id>/packing-slip.pdf")
class ShipmentPackingSlip(MethodView):
    @access(blp, "logistics")
    @file_response(blp, PDF_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, shipment_id: int) -> Any:
        """The packing slip: order, address, delivery date, each device with a Code 128 barcode of its
        serial, and the packaging."""
        shipment = shipment_views.get_shipment(shipment_id)
        return download(
            shipment_views.packing_slip(shipment),
            PDF_MIMETYPE,
            f"packing-slip-{shipment.id}.pdf",
            inline=True,
        )
