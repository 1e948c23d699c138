"""REST: /api/v1/devices."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.base import Blueprint, page_window
from daas.auth.access import access, current_principal
from daas.contracts.services import current_contract_id
from daas.devices import services
from daas.devices.models import Device
from daas.devices.schemas import (
    DeviceCreateSchema,
    DeviceQuerySchema,
    DeviceSchema,
    DeviceSummarySchema,
    DeviceUpdateSchema,
)
from daas.extensions import db

blp = Blueprint(
    "devices", __name__, url_prefix="/api/v1/devices", description="Devices and their chain of custody"
)


def _detail(device: Device, customer_scope: int | None) -> dict[str, Any]:
    contract_id = current_contract_id(device.id)
    return {
        "id": device.id,
        "serial": device.serial,
        "device_model": device.device_model,
        "status": device.status,
        "lives": device.lives,
        "manufactured_on": device.manufactured_on,
        "battery_health": device.battery_health,
        "contract_id": contract_id,
        "events": services.device_events(device, customer_scope),
    }


@blp.route("")
class Devices(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(DeviceQuerySchema, location="query")
    @blp.response(200, DeviceSummarySchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List devices (a customer user sees those on its contracts)."""
        rows, pagination_parameters.item_count = services.list_devices(
            args.get("status"),
            args.get("sku"),
            current_principal().customer_scope,
            *page_window(pagination_parameters),
        )
        return rows

    @access(blp, "logistics")
    @blp.arguments(DeviceCreateSchema)
    @blp.response(201, DeviceSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Take a device into stock."""
        device = services.register_device(
            data["serial"],
            data["sku"],
            current_principal().actor,
            manufactured_on=data.get("manufactured_on"),
            battery_health=data.get("battery_health"),
            on=data.get("on"),
        )
        db.session.commit()
        return _detail(device, None)


@blp.route("/<string:serial>")
class DeviceBySerial(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, serial: str) -> Any:
        """Show a device: status, lives and its chain of custody."""
        scope = current_principal().customer_scope
        return _detail(services.get_device(serial, scope), scope)

    @access(blp, "logistics")
    @blp.arguments(DeviceUpdateSchema)
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], serial: str) -> Any:
        """Record a device's measured battery health."""
        device = services.update_device_condition(serial, data["battery_health"])
        db.session.commit()
        return _detail(device, None)
