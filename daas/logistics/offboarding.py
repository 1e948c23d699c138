"""Offboarding a person who leaves the customer (orders.md "Replacements, exchanges and leaving"): their
devices are collected from their address, or handed to another person of the customer without shipping.

It spans people, contracts and return orders, so it lives in logistics, which sits above both: `return`
books one return order per contract from the person's address and region, and the person is `leaving`
until the last pickup (returns.py then makes them `left`); `reassign` hands every device of theirs to
another active person of the same customer, and they have `left` at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from daas.contracts import people_devices
from daas.contracts.models import Deployment
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.logistics import returns
from daas.logistics.models import ReturnOrder, ReturnReason
from daas.people import services
from daas.people.models import Person, PersonStatus

OFFBOARD_ACTIONS = ("return", "reassign")


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
