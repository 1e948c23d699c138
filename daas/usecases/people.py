"""People workflows, each one transaction: add and change a customer's people, import a list of them,
reassign a device to another person, and offboard a person who leaves.

Offboarding spans people, contracts and return orders; its rules are daas.logistics.offboarding.
"""

from __future__ import annotations

from typing import Any

from daas.contracts import people_devices
from daas.logistics import offboarding
from daas.people import importing, services
from daas.people.importing import ImportReport
from daas.people.models import Person
from daas.usecases.transaction import use_case

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


offboard_person = use_case(offboarding.offboard_person)
