"""REST: /api/v1/devices."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.contracts import fleet
from daas.contracts.services import current_contract_id
from daas.devices.certificate_pdf import render_wipe_certificate
from daas.devices.models import Device, WipeCertificate
from daas.downloads import PDF_MIMETYPE, download, file_response
from daas.logistics import takeback
from daas.schemas.devices import (
    DeviceCreateSchema,
    DeviceQuerySchema,
    DeviceSchema,
    DeviceSummarySchema,
    DeviceUpdateSchema,
)
from daas.schemas.logistics import (
    DispositionSchema,
    GradeSchema,
    LostSchema,
    RestockSchema,
    WipeCertificateSchema,
    WipeSchema,
)
from daas.settings import current_settings
from daas.usecases import devices as device_use_cases
from daas.usecases import logistics as logistics_use_cases

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
        "allowed_actions": takeback.available_actions(device),
        "events": fleet.device_events(device, customer_scope),
    }


@blp.route("")
class Devices(MethodView):
    @access(blp, "logistics", "customer")
    @blp.arguments(DeviceQuerySchema, location="query")
    @blp.response(200, DeviceSummarySchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List devices (a customer user sees those on its contracts)."""
        rows, pagination_parameters.item_count = fleet.list_devices(
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
        device = device_use_cases.register_device(
            data["serial"],
            data["sku"],
            current_principal().actor,
            manufactured_on=data.get("manufactured_on"),
            battery_health=data.get("battery_health"),
            on=data.get("on"),
        )
        return _detail(device, None)


@blp.route("/<string:serial>")
class DeviceBySerial(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, serial: str) -> Any:
        """Show a device: status, lives and its chain of custody."""
        scope = current_principal().customer_scope
        return _detail(fleet.get_device(serial, scope), scope)

    @access(blp, "logistics")
    @blp.arguments(DeviceUpdateSchema)
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], serial: str) -> Any:
        """Record a device's measured battery health."""
        device = device_use_cases.record_battery_health(serial, data["battery_health"])
        return _detail(device, None)


# -- takeback: wipe, grade, disposition ------------------------------------------------------------------


@blp.route("/<string:serial>/wipe")
class DeviceWipe(MethodView):
    @access(blp, "logistics")
    @blp.arguments(WipeSchema)
    @blp.response(201, WipeCertificateSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], serial: str) -> Any:
        """Record a data wipe (NIST SP 800-88 Rev. 1): the device becomes `wiped`; answers the certificate."""
        certificate = logistics_use_cases.wipe_device(serial, data, current_principal().actor)
        return {**_certificate_fields(certificate), "serial": serial}


@blp.route("/<string:serial>/grade")
class DeviceGrade(MethodView):
    @access(blp, "logistics")
    @idempotent(blp)
    @blp.arguments(GradeSchema)
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], serial: str) -> Any:
        """Grade a wiped device, A (as new) to D (parts only), with the grader's `notes`. A device back
        from a contract graded worse than fair wear allows (C before half its model's expected life, D
        always) proposes its damage charge (DAAS_DAMAGE_FEES) on that contract, for finance to decide:
        `GET /contracts/<id>/charges?status=proposed`."""
        graded = logistics_use_cases.grade_device(
            serial,
            data["grade"],
            current_principal().actor,
            data.get("on"),
            policy=current_settings().end_of_term,
            notes=data.get("notes"),
        )
        return _detail(graded.device, None)


@blp.route("/<string:serial>/disposition")
class DeviceDisposition(MethodView):
    @access(blp, "logistics")
    @blp.arguments(DispositionSchema)
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], serial: str) -> Any:
        """Redeploy (in stock for a new life), refurbish, harvest (with parts) or recycle a graded device."""
        device = logistics_use_cases.dispose_device(
            serial,
            data["disposition"],
            current_principal().actor,
            data.get("on"),
            data.get("harvested_parts") or (),
        )
        return _detail(device, None)


@blp.route("/<string:serial>/restock")
class DeviceRestock(MethodView):
    @access(blp, "logistics")
    @blp.arguments(RestockSchema)
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], serial: str) -> Any:
        """A refurbishment is done: the device is back in stock."""
        device = logistics_use_cases.restock_device(serial, current_principal().actor, data.get("on"))
        return _detail(device, None)


@blp.route("/<string:serial>/lost")
class DeviceLoss(MethodView):
    @access(blp, "logistics")
    @blp.arguments(LostSchema)
    @blp.response(200, DeviceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], serial: str) -> Any:
        """The device is lost (with the customer or in transit): final; its deployment ends that day."""
        device = logistics_use_cases.lose_device(
            serial,
            current_principal().actor,
            data.get("on"),
            data.get("note"),
            policy=current_settings().end_of_term,
        )
        return _detail(device, None)


def _certificate_fields(certificate: WipeCertificate) -> dict[str, Any]:
    return {"id": certificate.id, **takeback.certificate_fields(certificate)}


@blp.route("/<string:serial>/wipe-certificates")
class WipeCertificates(MethodView):
    @access(blp, "logistics", "customer")
    @blp.response(200, WipeCertificateSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, serial: str) -> Any:
        """A device's wipe certificates, newest first (a customer sees those of the devices that came back
        from its contracts, even once they serve someone else)."""
        scope = current_principal().customer_scope
        return [
            {**_certificate_fields(certificate), "serial": serial}
            for certificate in takeback.device_certificates(serial, scope)
        ]


@blp.route("/<string:serial>/wipe-certificates/<id:certificate_id>.pdf")
class WipeCertificatePdf(MethodView):
    @access(blp, "logistics", "customer")
    @file_response(blp, PDF_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, serial: str, certificate_id: int) -> Any:
        """A wipe certificate as a PDF (a customer's: of a device that came back from its contracts)."""
        issuer = current_settings().issuer.name
        document = takeback.certificate_document(
            serial, certificate_id, issuer, current_principal().customer_scope
        )
        return download(
            render_wipe_certificate(document), PDF_MIMETYPE, f"{document.number}.pdf", inline=True
        )
