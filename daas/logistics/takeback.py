"""What happens to a device after it comes back: wipe (with a certificate), grade, and a disposition:
redeploy, refurbish (then restock), harvest or recycle; or it is lost. Every step is a transition of the
state machine and a custody event. No device is graded, redeployed, refurbished or harvested without a
wipe certificate of its current life, recycling needs a purge or destroy certificate, and a grade D device
is not redeployed as it is: the rules are `daas.devices.lifecycle.refusal`, so the device page offers
exactly what these steps accept. A graded device whose wipe is too weak for a disposition is wiped again
with a stronger method, so no device is left without a way forward. A step that settles a device (back in
stock, refurbishing, harvested, recycled, lost) closes its received return order once every device of the
order is settled. Grading a device that came back from a contract worse than fair wear allows proposes
its damage charge on that contract (billing.md "One-off charges"): charges sit below logistics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select

from daas.charges.lifecycle import DAMAGE, LOSS
from daas.charges.models import DESCRIPTION_MAX_LENGTH, OneOffCharge
from daas.charges.services import NewCharge, propose_charge
from daas.contracts.end_of_term_rules import EndOfTermPolicy, damage_fee
from daas.contracts.fleet import get_device
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.dates import add_months
from daas.core.errors import Conflict, Invalid, NotFound
from daas.devices import lifecycle
from daas.devices.certificate_pdf import WipeCertificateDocument
from daas.devices.models import CustodyEvent, Device, HarvestedPart, WipeCertificate
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.logistics import buy_out
from daas.logistics.models import ReturnOrder, ReturnOrderDevice, ReturnStatus

NIST = "NIST SP 800-88 Rev. 1"
NOTES_MAX_LENGTH = 500  # what the grader writes of the device's condition
DISPOSITIONS = lifecycle.DISPOSITIONS


def current_certificate(device: Device) -> WipeCertificate | None:
    """The wipe certificate of the device's current life, if it was wiped since its last deployment (the
    latest one when it was wiped again)."""
    return db.session.scalar(
        select(WipeCertificate)
        .where(WipeCertificate.device_id == device.id, WipeCertificate.life == device.lives)
        .order_by(WipeCertificate.id.desc())
    )


def condition_of(device: Device) -> lifecycle.Condition:
    """What the lifecycle rules read of the device: state, grade and its current life's wipe."""
    certificate = current_certificate(device)
    return lifecycle.Condition(device.status, device.grade, certificate.method if certificate else None)


def available_actions(device: Device) -> list[str]:
    """The actions that may be done with the device now (the state machine narrowed by its wipe and
    grade): what the device page offers."""
    return lifecycle.actions_now(condition_of(device))


def _require_allowed(device: Device, action: str, method: str | None = None) -> None:
    """Refuse (409 naming the field at fault) an action the certificate or grade rules do not allow; an
    action the state does not allow is refused by `transition_device` with the state's allowed actions."""
    refused = lifecycle.refusal(condition_of(device), action, method)
    if refused is None or refused.field == "status":
        return
    sentence = refused.message[0].lower() + refused.message[1:]
    raise Conflict(f"Device {device.serial}: {sentence}", errors={refused.field: [refused.message]})


def close_settled_orders(device_id: int) -> None:
    """A received return order is closed once every device in it is settled (back in stock, refurbishing,
    or at the end of its life): the step that settled this device may have been the last one."""
    orders = db.session.scalars(
        select(ReturnOrder)
        .join(ReturnOrderDevice, ReturnOrderDevice.return_order_id == ReturnOrder.id)
        .where(ReturnOrderDevice.device_id == device_id, ReturnOrder.status == ReturnStatus.RECEIVED)
    ).all()
    for order in orders:
        statuses = db.session.scalars(
            select(Device.status)
            .join(ReturnOrderDevice, ReturnOrderDevice.device_id == Device.id)
            .where(ReturnOrderDevice.return_order_id == order.id)
        ).all()
        if all(status in lifecycle.SETTLED_STATES for status in statuses):
            order.status = ReturnStatus.CLOSED
    db.session.flush()


def wipe_device(serial: str, values: dict[str, Any], actor: str) -> WipeCertificate:
    """Record a sanitization and its certificate; a received device becomes `wiped`, a graded one whose
    wipe is too weak for a disposition is wiped again (stronger) and stays graded."""
    device = lock_device(serial, field_name=None)
    on = values.get("on") or clock.today()
    action = "wipe_again" if device.status == lifecycle.DeviceStatus.GRADED else "wipe"
    _require_allowed(device, action, values["method"])
    transition_device(device, action, on, actor, reference=f"{values['method']} per {values['standard']}")
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


@dataclass(frozen=True)
class Graded:
    """A device graded, and the damage charge its grade proposed on the contract it came back from (None
    when fair wear leaves nothing to pay)."""

    device: Device
    damage_charge: OneOffCharge | None


def _age_and_life(device: Device, on: date) -> tuple[int, int]:
    """The device's age in days on `on`, from its manufacture (else its first custody event, when it came
    into stock), and its model's expected life in days from that same day."""
    born = buy_out.age_start(device) or on
    life_ends = add_months(born, device.device_model.expected_lifetime_months)
    return (on - born).days, (life_ends - born).days


def _propose_damage(
    device: Device, grade: str, event: CustodyEvent, notes: str | None, policy: EndOfTermPolicy, actor: str
) -> OneOffCharge | None:
    """The damage charge of a grade on the contract of the device's last deployment, proposed to finance,
    when `damage_fee` says fair wear does not cover it. Keyed by the grading's custody event, so the same
    grading proposes once."""
    contract_id = db.session.scalar(
        select(Deployment.contract_id)
        .where(Deployment.device_id == device.id)
        .order_by(Deployment.start_date.desc(), Deployment.id.desc())
        .limit(1)
    )
    if contract_id is None:
        return None  # never served a contract: nobody to charge
    contract = db.session.get(Contract, contract_id)
    age_days, lifetime_days = _age_and_life(device, event.occurred_on)
    fee = damage_fee(
        policy.fees_for(contract.currency, device.device_model.category), grade, age_days, lifetime_days
    )
    if fee is None:
        return None
    description = f"Damage: {device.serial} graded {grade}" + (f": {notes}" if notes else "")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        description = description[: DESCRIPTION_MAX_LENGTH - 1] + "…"
    charge, _ = propose_charge(
        contract.id,
        NewCharge(
            kind=DAMAGE,
            amount=fee,
            description=description,
            idempotency_key=f"damage-{device.id}-{event.id}",
            on=event.occurred_on,
            device_serial=device.serial,
        ),
        actor,
    )
    return charge


def grade_device(
    serial: str,
    grade: str,
    actor: str,
    on: date | None = None,
    *,
    policy: EndOfTermPolicy,
    notes: str | None = None,
) -> Graded:
    """Grade a wiped device A (as new) to D (parts only), with the grader's `notes` on its custody event.
    A device that came back from a contract and is graded worse than fair wear allows (`policy`'s damage
    fees: C before half its model's expected life, D always) gets its damage charge proposed on that
    contract, for finance to approve or waive."""
    notes = (notes or "").strip() or None
    if notes is not None and len(notes) > NOTES_MAX_LENGTH:
        raise Invalid.field("notes", f"At most {NOTES_MAX_LENGTH} characters.")
    device = lock_device(serial, field_name=None)
    _require_allowed(device, "grade")
    event = transition_device(
        device, "grade", on or clock.today(), actor, reference=f"grade {grade}", note=notes
    )
    device.grade = grade
    db.session.flush()
    return Graded(device, _propose_damage(device, grade, event, notes, policy, actor))


def dispose_device(
    serial: str,
    disposition: str,
    actor: str,
    on: date | None = None,
    harvested_parts: Sequence[dict[str, Any]] = (),
) -> Device:
    """Redeploy (back in stock for a new life), refurbish, harvest (with its parts) or recycle."""
    device = lock_device(serial, field_name=None)
    _require_allowed(device, disposition)
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


def _propose_loss(device: Device, contract_id: int, on: date, policy: EndOfTermPolicy, actor: str) -> None:
    """A device lost from a contract costs its buy-out price at grade A on the day it was lost
    (`buy_out.price_on`): proposed on that contract for finance to approve or waive. A model without a
    list value in the contract's currency has no price to propose."""
    contract = db.session.get(Contract, contract_id)
    model = device.device_model
    priced = buy_out.price_on(device, model, contract.currency, on, policy, "A")
    if priced is None or priced[0].price <= 0:
        return
    propose_charge(
        contract.id,
        NewCharge(
            kind=LOSS,
            amount=priced[0].price,
            description=f"Loss: {device.serial} ({model.name}), lost on {on.isoformat()}",
            idempotency_key=f"loss-{device.id}",
            on=on,
            device_serial=device.serial,
        ),
        actor,
    )


def lose_device(
    serial: str,
    actor: str,
    on: date | None = None,
    note: str | None = None,
    *,
    policy: EndOfTermPolicy,
) -> Device:
    """A device lost with the customer or in transit: final. Its deployment ends that day. Lost from a
    contract (deployed, or on its way back), its loss charge is proposed on that contract."""
    device = lock_device(serial, field_name=None)
    on = on or clock.today()
    deployment = db.session.scalar(
        select(Deployment).where(Deployment.device_id == device.id, Deployment.end_date.is_(None))
    )
    # On its way back the device is still the customer's responsibility; lost on its way out (a carrier's
    # loss before delivery) it is nobody's but the provider's.
    if deployment is not None:
        contract_id: int | None = deployment.contract_id
    elif device.status == lifecycle.DeviceStatus.IN_TRANSIT:
        contract_id = _returning_from(device.id)
    else:
        contract_id = None
    transition_device(
        device,
        "lose",
        on,
        actor,
        contract_id=contract_id,
        reference="lost",
        note=note,
    )
    if deployment is not None:
        deployment.end_date = max(on, deployment.start_date)
    db.session.flush()
    close_settled_orders(device.id)
    if contract_id is not None:
        _propose_loss(device, contract_id, on, policy, actor)
    return device


def _returning_from(device_id: int) -> int | None:
    """The contract a device in transit back comes from: its last deployment's, when it has ended."""
    return db.session.scalar(
        select(Deployment.contract_id)
        .where(Deployment.device_id == device_id, Deployment.end_date.is_not(None))
        .order_by(Deployment.end_date.desc(), Deployment.id.desc())
        .limit(1)
    )


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


@dataclass(frozen=True)
class CustomerCertificate:
    """A wipe certificate as its customer sees it: of which device, and from which subscription it came
    back (the contract of the life the wipe ended) and on which day."""

    certificate: WipeCertificate
    device: Device
    contract_id: int
    returned_on: date | None


def _lives(customer_id: int) -> Any:
    """The deployments of every device that ever served the customer, each with the life it began (the
    device's first deployment is life 1): a wipe certificate of life N ends the life spent on that
    deployment's contract. Only those devices are numbered, not the whole fleet."""
    served = (
        select(Deployment.device_id)
        .join(Contract, Contract.id == Deployment.contract_id)
        .where(Contract.customer_id == customer_id)
    )
    return (
        select(
            Deployment.device_id,
            Deployment.contract_id,
            Deployment.end_date,
            func.row_number()
            .over(partition_by=Deployment.device_id, order_by=(Deployment.start_date, Deployment.id))
            .label("life"),
        )
        .where(Deployment.device_id.in_(served))
        .subquery("lives")
    )


def _customer_certificates(customer_id: int) -> Select[Any]:
    """(certificate, device, contract, returned on) of the lives spent on the customer's contracts."""
    lives = _lives(customer_id)
    same_life = and_(lives.c.device_id == WipeCertificate.device_id, lives.c.life == WipeCertificate.life)
    return (
        select(WipeCertificate, Device, lives.c.contract_id, lives.c.end_date)
        .join(Device, Device.id == WipeCertificate.device_id)
        .join(lives, same_life)
        .join(Contract, Contract.id == lives.c.contract_id)
        .where(Contract.customer_id == customer_id)
    )


def list_customer_certificates(
    customer_id: int, offset: int = 0, limit: int = 50, serial: str | None = None
) -> tuple[list[CustomerCertificate], int]:
    """The wipe certificates of the devices that came back from the customer's contracts, newest first:
    the lives spent with the customer, whoever has the device now."""
    query = _customer_certificates(customer_id)
    if serial is not None:
        query = query.where(Device.serial == serial)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    newest_first = query.order_by(WipeCertificate.performed_on.desc(), WipeCertificate.id.desc())
    rows = db.session.execute(newest_first.offset(offset).limit(limit)).all()
    return [CustomerCertificate(*row) for row in rows], total


def device_certificates(serial: str, customer_scope: int | None = None) -> list[WipeCertificate]:
    """A device's wipe certificates, newest first; a customer's are those of the lives spent on its
    contracts (NotFound for a device it neither had nor has)."""
    if customer_scope is None:
        device = get_device(serial)
        return list(
            db.session.scalars(
                select(WipeCertificate)
                .where(WipeCertificate.device_id == device.id)
                .order_by(WipeCertificate.id.desc())
            )
        )
    found, _ = list_customer_certificates(customer_scope, 0, 1000, serial)
    if not found:
        get_device(serial, customer_scope)  # one it has now, not wiped yet: none; any other: NotFound
    return [item.certificate for item in found]


def find_certificate(
    serial: str, certificate_id: int, customer_scope: int | None = None
) -> tuple[Device, WipeCertificate]:
    """Certificate `certificate_id` of device `serial`; a customer finds it only if the life it ended was
    spent on one of its contracts, even when the device now serves someone else. One NotFound for every
    miss, so a customer learns nothing of devices and certificates that are not its own."""
    if customer_scope is None:
        query = select(Device, WipeCertificate).join(WipeCertificate, WipeCertificate.device_id == Device.id)
    else:
        query = _customer_certificates(customer_scope).with_only_columns(Device, WipeCertificate)
    row = db.session.execute(
        query.where(Device.serial == serial, WipeCertificate.id == certificate_id)
    ).first()
    if row is None:
        raise NotFound(f"No wipe certificate {certificate_id} for device {serial}.")
    return row[0], row[1]


def certificate_document(
    serial: str, certificate_id: int, organization: str, customer_scope: int | None = None
) -> WipeCertificateDocument:
    """The printable certificate `certificate_id` of device `serial` (NotFound if it is another device's,
    or, for a customer, of a life not spent with it)."""
    device, certificate = find_certificate(serial, certificate_id, customer_scope)
    return WipeCertificateDocument(
        number=f"WIPE-{certificate.id:06d}",
        organization=organization,
        device_serial=device.serial,
        device_model=f"{device.device_model.manufacturer} {device.device_model.name}",
        **certificate_fields(certificate),
    )
