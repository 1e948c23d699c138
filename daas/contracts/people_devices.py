"""Which devices serve which person: a deployment's `person_id`, read per person and per customer, and
changed by a reassignment.

A reassignment keeps the deployment (the same contract, the same first billed day: billing does not
change) and writes one custody event, `reassign`, naming both people. People are a lower domain; what a
person's devices are is this one's to say, since deployments are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.contracts.services import open_deployment
from daas.core.errors import Invalid
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.devices.services import event_day, lock_device, transition_device
from daas.extensions import db
from daas.people.models import Person
from daas.people.services import active_person


@dataclass(frozen=True)
class PersonDevice:
    """A device serving a person now: its open deployment, with what a list of them shows."""

    deployment_id: int
    contract_id: int
    contract_reference: str
    serial: str
    sku: str
    model: str
    status: str
    since: date


def _open_deployments_query() -> Select[tuple[Deployment, Device, DeviceModel, Contract]]:
    return (
        select(Deployment, Device, DeviceModel, Contract)
        .join(Device, Device.id == Deployment.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .join(Contract, Contract.id == Deployment.contract_id)
        .where(Deployment.end_date.is_(None))
    )


def _item(deployment: Deployment, device: Device, model: DeviceModel, contract: Contract) -> PersonDevice:
    return PersonDevice(
        deployment_id=deployment.id,
        contract_id=contract.id,
        contract_reference=contract.reference,
        serial=device.serial,
        sku=model.sku,
        model=model.name,
        status=device.status,
        since=deployment.start_date,
    )


def devices_of_person(person_id: int) -> list[PersonDevice]:
    """The person's open deployments (devices still with them, a return booked or not), by serial."""
    query = _open_deployments_query().where(Deployment.person_id == person_id).order_by(Device.serial)
    return [_item(*row) for row in db.session.execute(query)]


def deployed_devices_by_contract(person_id: int) -> dict[int, list[str]]:
    """contract id -> serials of the person's devices that are deployed and not yet booked for return."""
    query = (
        select(Deployment.contract_id, Device.serial)
        .join(Device, Device.id == Deployment.device_id)
        .where(
            Deployment.person_id == person_id,
            Deployment.end_date.is_(None),
            Device.status == DeviceStatus.DEPLOYED,
        )
        .order_by(Deployment.contract_id, Device.serial)
    )
    grouped: dict[int, list[str]] = {}
    for contract_id, serial in db.session.execute(query):
        grouped.setdefault(contract_id, []).append(serial)
    return grouped


def has_open_deployments(person_id: int) -> bool:
    query = select(Deployment.id).where(Deployment.person_id == person_id, Deployment.end_date.is_(None))
    return db.session.scalar(query.limit(1)) is not None


def _name(person: Person | None) -> str:
    return "nobody" if person is None else f"{person.name} (person {person.id})"


def reassign_device(
    contract_id: int, serial: str, person_id: int, actor: str, customer_scope: int | None = None
) -> Deployment:
    """The device now serves `person_id`, an active person of the contract's customer (else a 422 on
    person_id): the same deployment, one custody event `reassign` naming both people, no billing change.
    A device not deployed on the contract is a 404; one on its way back (a return booked) a 409."""
    deployment = open_deployment(contract_id, serial, customer_scope)
    contract = deployment.contract
    person = active_person(person_id, contract.customer_id, "person_id")
    if deployment.person_id == person.id:
        raise Invalid.field("person_id", f"Device {serial} already serves {person.name}.")
    device = lock_device(serial, field_name=None)
    previous = db.session.get(Person, deployment.person_id) if deployment.person_id is not None else None
    transition_device(
        device,
        "reassign",
        event_day(device),
        actor,
        contract_id=contract.id,
        reference=f"reassigned from {_name(previous)} to {_name(person)}",
    )
    deployment.person_id = person.id
    db.session.flush()
    return deployment


def people_devices_rows(
    customer_id: int | None, customer_scope: int | None = None
) -> list[dict[str, object]]:
    """One row per device serving a person now, by cost centre, person and serial (the customer's, or
    every customer's when None): what the devices-per-person export lists. A customer user's rows are its
    own; naming another customer gives none."""
    if customer_scope is not None:
        if customer_id not in (None, customer_scope):
            return []
        customer_id = customer_scope
    query = (
        _open_deployments_query()
        .add_columns(Person)
        .join(Person, Person.id == Deployment.person_id)
        .order_by(Person.cost_centre, Person.name, Person.id, Device.serial)
    )
    if customer_id is not None:
        query = query.where(Person.customer_id == customer_id)
    rows = []
    for deployment, device, model, contract, person in db.session.execute(query):
        item = _item(deployment, device, model, contract)
        rows.append(
            {
                "customer_id": person.customer_id,
                "cost_centre": person.cost_centre or "",
                "person_id": person.id,
                "name": person.name,
                "email": person.email,
                "serial": item.serial,
                "sku": item.sku,
                "model": item.model,
                "contract_reference": item.contract_reference,
                "since": item.since,
            }
        )
    return rows
