"""Who gets an event's e-mail, and in which language (docs/e-mail.md).

By the type's audience (daas.outbox.event_types): `money` to the customer's billing e-mail; `users` to the
customer's active users who have not turned the type off; `staff` to the active admins and the staff
addresses of the settings; `owner` to the customer's users (with their choices) when the event is about a
customer, else to staff. A customer's e-mails are in its document language, the one its invoices are in;
staff e-mails in English. An address is written to once per event, however it is spelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from daas.auth.models import User
from daas.auth.roles import ADMIN
from daas.core.languages import document_language
from daas.customers.models import Customer
from daas.extensions import db
from daas.notifications import preferences
from daas.notifications.policy import MailSettings
from daas.notifications.wording import BILLING, STAFF, USER, Reader
from daas.outbox.event_types import MONEY, OWNER, USERS, audience_of
from daas.outbox.models import OutboxEvent

STAFF_LANGUAGE = "en"


@dataclass(frozen=True)
class Recipients:
    """The addresses of one event's e-mails, who they are and the language they are written in."""

    addresses: tuple[str, ...]
    language: str
    reader: Reader


def unique_addresses(addresses: Iterable[str]) -> tuple[str, ...]:
    """Each address once, compared without case (its first spelling kept), blanks left out."""
    seen: set[str] = set()
    unique = []
    for given in addresses:
        address = (given or "").strip()
        if address and address.casefold() not in seen:
            seen.add(address.casefold())
            unique.append(address)
    return tuple(unique)


def _customer_users(customer_id: int, event_type: str) -> list[str]:
    users = db.session.execute(
        select(User.id, User.email)
        .where(User.customer_id == customer_id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    off = preferences.users_turned_off([user.id for user in users], event_type)
    return [user.email for user in users if user.id not in off]


def _staff(mail: MailSettings) -> Recipients:
    admins = db.session.scalars(
        select(User.email).where(User.role == ADMIN, User.active.is_(True)).order_by(User.id)
    )
    return Recipients(unique_addresses([*admins, *mail.staff_addresses]), STAFF_LANGUAGE, Reader(STAFF))


def recipients_of(event: OutboxEvent, mail: MailSettings) -> Recipients:
    audience = audience_of(event.type)
    if event.customer_id is None:
        if audience in (MONEY, USERS):  # about no customer: there is no one to tell
            return Recipients((), STAFF_LANGUAGE, Reader(STAFF))
        return _staff(mail)
    if audience not in (MONEY, USERS, OWNER):
        return _staff(mail)
    customer = db.session.get(Customer, event.customer_id)
    language = document_language(customer.document_language, customer.country)
    if audience == MONEY:
        return Recipients(
            unique_addresses([customer.billing_email]), language, Reader(BILLING, customer.name)
        )
    addresses = unique_addresses(_customer_users(customer.id, event.type))
    return Recipients(addresses, language, Reader(USER, customer.name))
