"""People workflows, each one transaction: add and change a customer's people, import a list of them,
reassign a device to another person, and offboard a person who leaves.

Offboarding spans domains (people, contracts, logistics), so it is composed here: `return` books the
collection of the person's devices, one return order per contract from their address and region, and the
person is `leaving` until the last pickup (logistics' pick-up step then makes them `left`); `reassign`
hands every device of theirs to another active person of the same customer, and they have `left` at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from daas.contracts import people_devices
from daas.contracts.models import Deployment
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.logistics import returns
from daas.logistics.models import ReturnOrder, ReturnReason
from daas.people import importing, services
from daas.people.importing import ImportReport
from daas.people.models import Person, PersonStatus
from daas.usecases.transaction import use_case

OFFBOARD_ACTIONS = ("return", "reassign")

create_person = use_case(services.create_person)
update_person = use_case(services.update_person)
reassign_device = use_case(people_devices.reassign_device)


@use_case
def add_person(customer_id: int | None, values: dict[str, Any], customer_scope: int | None = None) -> Person:
    """A new person of the caller's customer, or of the one staff name (services.customer_for)."""
    return services.create_person(services.customer_for(customer_id, customer_scope), values)


@use_case
def import_people(customer_id: int | None, data: bytes, customer_scope: int | None = None) -> ImportReport:
    """A CSV list of people for the caller's customer (or the one staff name): all rows or none."""
    return importing.import_people(services.customer_for(customer_id, customer_scope), data)


@dataclass
class Offboarding:
    """What offboarding did: the person as they are now, and the return orders opened or the deployments
    handed to the other person."""

    person: Person
    return_orders: list[ReturnOrder] = field(default_factory=list)
    reassigned: list[Deployment] = field(default_factory=list)


def _to_person(person: Person, to_person_id: int | None) -> Person:
    if to_person_id is None:
        raise Invalid.field("to_person_id", "Name the person who takes the devices over.")
    if to_person_id == person.id:
        raise Invalid.field("to_person_id", "Name another person than the one leaving.")
    return services.active_person(to_person_id, person.customer_id, "to_person_id")


@use_case
def offboard_person(
    person_id: int,
    action: str,
    to_person_id: int | None,
    requested_date: date | None,
    actor: str,
    customer_scope: int | None,
    window_days: int = 14,
) -> Offboarding:
    """A person leaves the customer. `return`: one `offboarding` return order per contract for their
    deployed devices, collected from their address in their region from `requested_date` (today unless
    given), the earliest slot with room within `window_days` booked; they are `leaving`, or `left` at once
    when no device serves them. `reassign`: every device of theirs now serves `to_person_id` and they
    have `left`. Only an active person can be offboarded (409)."""
    person = services.lock_person(person_id, customer_scope)
    if action not in OFFBOARD_ACTIONS:
        raise Invalid.field("action", f"Use one of {', '.join(OFFBOARD_ACTIONS)}.")
    if person.status != PersonStatus.ACTIVE:
        raise Conflict(
            f"{person.name} is {person.status}; only an active person can be offboarded.",
            errors={"status": [f"The person is {person.status}; allowed from: active."]},
        )
    outcome = Offboarding(person)
    if action == "reassign":
        if requested_date is not None:
            raise Invalid.field("requested_date", "Only a return is collected on a day.")
        other = _to_person(person, to_person_id)
        for item in people_devices.devices_of_person(person.id):
            outcome.reassigned.append(
                people_devices.reassign_device(item.contract_id, item.serial, other.id, actor)
            )
        services.set_status(person, PersonStatus.LEFT)
        return outcome
    if to_person_id is not None:
        raise Invalid.field("to_person_id", "Only a reassignment hands devices to another person.")
    day = requested_date or clock.today()
    for contract_id, serials in people_devices.deployed_devices_by_contract(person.id).items():
        outcome.return_orders.append(
            returns.create_return_order(
                contract_id,
                serials,
                ReturnReason.OFFBOARDING,
                day,
                person.region,
                services.address_text(person),
                actor,
                window_days,
                person_id=person.id,
            )
        )
    leaving = people_devices.has_open_deployments(person.id)
    services.set_status(person, PersonStatus.LEAVING if leaving else PersonStatus.LEFT)
    return outcome
