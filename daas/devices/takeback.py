"""What happens to a device after it comes back: wipe (with a certificate), grade, and a disposition:
redeploy, refurbish (then restock), harvest or recycle; or it is lost. Every step is a transition of the
state machine and a custody event. No device is graded, redeployed, refurbished or harvested without a
wipe certificate of its current life, and recycling needs a purge or destroy certificate. A step that settles
a device (back in stock, refurbishing, harvested, recycled, lost) closes its received return order once every
device of the order is settled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.core import clock
from daas.devices.certificate_pdf import WipeCertificateDocument
from daas.devices.models import Device, HarvestedPart, WipeCertificate
from daas.devices.services import lock_device, transition_device
from daas.errors import Conflict, NotFound
from daas.extensions import db
from daas.logistics.returns import close_settled_orders

NIST = "NIST SP 800-88 Rev. 1"
DISPOSITIONS = ("redeploy", "refurbish", "harvest", "recycle")


def current_certificate(device: Device) -> WipeCertificate | None:
    """The wipe certificate of the device's current life, if it was wiped since its last deployment."""
    return db.session.scalar(
        select(WipeCertificate)
        .where(WipeCertificate.device_id == device.id, WipeCertificate.life == device.lives)
        .order_by(WipeCertificate.id.desc())
    )


def _require_certificate(
    device: Device, action: str, methods: Sequence[str] = ("clear", "purge", "destroy")
) -> None:
    certificate = current_certificate(device)
    if certificate is None:
        raise Conflict(
            f"Device {device.serial} has no wipe certificate for its current life; wipe it before it can "
            f"{action}.",
            errors={"wipe": ["No wipe certificate for the current life."]},
        )
    if certificate.method not in methods:
        raise Conflict(
            f"To {action}, the wipe must be {' or '.join(methods)}; device {device.serial} was wiped with "
            f"{certificate.method}.",
            errors={"wipe": [f"A {certificate.method} wipe is not enough to {action}."]},
        )


def wipe_device(serial: str, values: dict[str, Any], actor: str) -> WipeCertificate:
    """Record a sanitization and its certificate; the device becomes `wiped`."""
    device = lock_device(serial, field_name=None)
    on = values.get("on") or clock.today()
    transition_device(device, "wipe", on, actor, reference=f"{values['method']} per {values['standard']}")
    certificate = WipeCertificate(
        device_id=device.id,
        life=device.lives,
        method=values["method"],
        standard=values["standard"],
        technique=values.get("technique"),
        tool=values.get("tool"),
        tool_version=values.get("tool_version"),
        media_type=values.get("media_type"),
        media_serial=values.get("media_serial"),
        verification=values.get("verification") or "full",
        performed_by=actor,
        verified_by=values["verified_by"],
        performed_on=on,
        notes=values.get("notes"),
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def grade_device(serial: str, grade: str, actor: str, on: date | None = None) -> Device:
    device = lock_device(serial, field_name=None)
    if device.status == "wiped":
        _require_certificate(device, "be graded")
    transition_device(device, "grade", on or clock.today(), actor, reference=f"grade {grade}")
    device.grade = grade
    db.session.flush()
    return device


def dispose_device(
    serial: str,
    disposition: str,
    actor: str,
    on: date | None = None,
    harvested_parts: Sequence[dict[str, Any]] = (),
) -> Device:
    """Redeploy (back in stock for a new life), refurbish, harvest (with its parts) or recycle."""
    device = lock_device(serial, field_name=None)
    if device.status == "graded":
        if disposition == "recycle":
            _require_certificate(device, "be recycled", ("purge", "destroy"))
        else:
            _require_certificate(
                device, f"be {'redeployed' if disposition == 'redeploy' else disposition + 'ed'}"
            )
    on = on or clock.today()
    reference = disposition
    if disposition == "harvest" and harvested_parts:
        reference = "harvest: " + ", ".join(f"{p['part']} {p['weight_kg']} kg" for p in harvested_parts)
    transition_device(device, disposition, on, actor, reference=reference[:200])
    for part in harvested_parts if disposition == "harvest" else ():
        db.session.add(
            HarvestedPart(
                device_id=device.id, part=part["part"], weight_kg=Decimal(part["weight_kg"]), harvested_on=on
            )
        )
    db.session.flush()
    close_settled_orders(device.id)
    return device


def restock_device(serial: str, actor: str, on: date | None = None) -> Device:
    """A refurbishment is done: the device is back in stock for another life."""
    device = lock_device(serial, field_name=None)
    transition_device(device, "restock", on or clock.today(), actor, reference="refurbished")
    close_settled_orders(device.id)
    return device


def lose_device(serial: str, actor: str, on: date | None = None, note: str | None = None) -> Device:
    """A device lost with the customer or in transit: final. Its deployment ends that day."""
    from daas.contracts.models import Deployment

    device = lock_device(serial, field_name=None)
    on = on or clock.today()
    deployment = db.session.scalar(
        select(Deployment).where(Deployment.device_id == device.id, Deployment.end_date.is_(None))
    )
    transition_device(
        device,
        "lose",
        on,
        actor,
        contract_id=deployment.contract_id if deployment else None,
        reference="lost",
        note=note,
    )
    if deployment is not None:
        deployment.end_date = max(on, deployment.start_date)
    db.session.flush()
    close_settled_orders(device.id)
    return device


CERTIFICATE_FIELDS = (
    "life",
    "method",
    "standard",
    "technique",
    "tool",
    "tool_version",
    "media_type",
    "media_serial",
    "verification",
    "performed_by",
    "verified_by",
    "performed_on",
    "notes",
)


def certificate_fields(certificate: WipeCertificate) -> dict[str, Any]:
    """What a wipe certificate says, by field (its id aside)."""
    return {name: getattr(certificate, name) for name in CERTIFICATE_FIELDS}


def certificate_document(device: Device, certificate_id: int, organization: str) -> WipeCertificateDocument:
    """The printable certificate `certificate_id` of `device` (NotFound if it is another device's)."""
    certificate = db.session.get(WipeCertificate, certificate_id)
    if certificate is None or certificate.device_id != device.id:
        raise NotFound(f"No wipe certificate {certificate_id} for device {device.serial}.")
    return WipeCertificateDocument(
        number=f"WIPE-{certificate.id:06d}",
        organization=organization,
        device_serial=device.serial,
        device_model=f"{device.device_model.manufacturer} {device.device_model.name}",
        **certificate_fields(certificate),
    )
