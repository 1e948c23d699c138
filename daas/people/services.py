"""People: create, change, find and list a customer's people; a customer user only ever sees its own.

Every way details arrive (the API, the CSV import, other domains) goes through `create_person` and
`update_person`, which hold them to `daas.people.rules` and keep the e-mail unique per customer, matched
case-insensitively through `email_key` (the database's unique constraint catches a race). What a person's
devices are is the contracts' to say (`daas.contracts.people_devices`), above this domain.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from daas.core.errors import Conflict, Invalid, NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.extensions import db
from daas.people import rules
from daas.people.models import PERSON_STATUSES, Person, PersonStatus

_FIELDS = ("name", "email", "cost_centre", "address", "region", "monthly_allowance")


def _customer(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise Invalid.field("customer_id", f"Unknown customer {customer_id}.")
    return customer


def _checked(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(values) - set(_FIELDS))
    problems: dict[str, Any] = {name: ["Unknown field."] for name in unknown}
    problems.update(rules.value_problems(values, partial=partial))
    if problems:
        raise Invalid("Invalid input: " + ", ".join(sorted(problems)) + ".", errors=problems)
    return values


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email_taken(customer_id: int, key: str, person_id: int | None) -> None:
    query = select(Person.id).where(Person.customer_id == customer_id, Person.email_key == key)
    if person_id is not None:
        query = query.where(Person.id != person_id)
    if db.session.scalar(query) is not None:
        raise Conflict(
            "Another person of this customer has this e-mail address.",
            errors={"email": ["Another person of this customer has this address (in any case)."]},
        )


def _apply(person: Person, values: dict[str, Any]) -> None:
    for name in ("name", "cost_centre", "monthly_allowance"):
        if name in values:
            setattr(person, name, _clean(values[name]))
    if "email" in values:
        person.email = rules.normalize_email(values["email"])
        person.email_key = rules.email_key(values["email"])
    for part, value in (values.get("address") or {}).items():
        setattr(person, rules.ADDRESS_COLUMNS[part], _clean(value))
    if values.get("region") is not None:
        person.region = values["region"]


def customer_for(customer_id: int | None, customer_scope: int | None) -> int:
    """The customer a new person (or an import) is for: a customer user's own (naming another is a 404),
    or the one staff name, which they must (422 on customer_id)."""
    if customer_scope is not None:
        if customer_id is not None and customer_id != customer_scope:
            raise NotFound(f"No customer {customer_id}.")
        return customer_scope
    if customer_id is None:
        raise Invalid.field("customer_id", "Staff name the customer the people belong to.")
    return _customer(customer_id).id


def create_person(customer_id: int, values: dict[str, Any]) -> Person:
    """A new active person of the customer: name, email, cost_centre?, address {line1, line2?, postcode,
    city, country}, region? (the customer's pickup region unless given; 422 when neither is there),
    monthly_allowance? (None: their orders never need an approver). 409 on `email` for an address the
    customer already has, in any case."""
    customer = _customer(customer_id)
    values = _checked(values, partial=False)
    if values.get("region") is None and not customer.pickup_region:
        raise Invalid.field("region", "Give a region: the customer has no pickup region to default to.")
    _email_taken(customer.id, rules.email_key(values["email"]), None)
    person = Person(customer_id=customer.id, status=PersonStatus.ACTIVE, region=customer.pickup_region)
    person.address_line2 = None
    _apply(person, values)
    db.session.add(person)
    db.session.flush()
    return person


def update_person(person_id: int, changes: dict[str, Any], customer_scope: int | None = None) -> Person:
    """Change what is sent (the address's parts sent, `line2: null` removes it; `region: null` goes back
    to the customer's pickup region). The status is not a detail: offboarding changes it."""
    person = get_person(person_id, customer_scope)
    changes = _checked(changes, partial=True)
    if "email" in changes:
        _email_taken(person.customer_id, rules.email_key(changes["email"]), person.id)
    if "region" in changes and changes["region"] is None:
        region = _customer(person.customer_id).pickup_region
        if not region:
            raise Invalid.field("region", "The customer has no pickup region to go back to.")
        changes = {**changes, "region": region}
    _apply(person, changes)
    db.session.flush()
    return person


def get_person(person_id: int, customer_scope: int | None = None) -> Person:
    """The person; another customer's is not found (404), like one that does not exist."""
    person = db.session.get(Person, person_id)
    if person is None or (customer_scope is not None and person.customer_id != customer_scope):
        raise NotFound(f"No person {person_id}.")
    return person


def lock_person(person_id: int, customer_scope: int | None = None) -> Person:
    """The person, locked for this transaction (offboarding and the last pickup decide their status)."""
    person = db.session.scalar(select(Person).where(Person.id == person_id).with_for_update())
    if person is None or (customer_scope is not None and person.customer_id != customer_scope):
        raise NotFound(f"No person {person_id}.")
    return person


def find_person_by_email(customer_id: int, email: str) -> Person | None:
    return db.session.scalar(
        select(Person).where(Person.customer_id == customer_id, Person.email_key == rules.email_key(email))
    )


def list_people(
    customer_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
    customer_scope: int | None = None,
    cost_centre: str | None = None,
) -> tuple[list[Person], int]:
    """People by name; a customer user's are its own whatever `customer_id` says."""
    if status is not None and status not in PERSON_STATUSES:
        raise Invalid.field("status", f"Use one of {', '.join(PERSON_STATUSES)}.")
    query = select(Person)
    for column, value in (
        (Person.customer_id, customer_id),
        (Person.customer_id, customer_scope),
        (Person.status, status),
        (Person.cost_centre, cost_centre),
    ):
        if value is not None:
            query = query.where(column == value)
    return fetch_page(query.order_by(Person.name, Person.id), offset, limit)


def active_person(person_id: int, customer_id: int, field_name: str) -> Person:
    """The person, when they are an active person of the customer; otherwise a 422 on `field_name` (an
    order line's, a deployment's): another customer's person is named no differently from a missing one."""
    person = db.session.get(Person, person_id)
    if person is None or person.customer_id != customer_id:
        raise Invalid.field(field_name, f"No person {person_id} of this customer.")
    if person.status != PersonStatus.ACTIVE:
        raise Invalid.field(field_name, f"{person.name} is {person.status}, not active.")
    return person


def set_status(person: Person, status: str) -> Person:
    """Offboarding's moves (active -> leaving -> left, or active -> left); the callers decide when."""
    if status not in PERSON_STATUSES:
        raise ValueError(f"unknown person status {status!r}")
    person.status = status
    db.session.flush()
    return person


def address_text(person: Person) -> str:
    """The person's address on one line, as a return order keeps it."""
    parts = [person.name, person.address_line1, person.address_line2, f"{person.postcode} {person.city}"]
    return ", ".join(part for part in parts if part) + f", {person.country}"
