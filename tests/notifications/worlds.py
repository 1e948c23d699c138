"""Customers in each document language with their users, admins, and reading back what the SMTP server
received: the parts of an e-mail a reader sees."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from daas.auth.roles import ADMIN, CUSTOMER
from daas.auth.services import deactivate_user
from tests import factories

# The country each document language is the default of (daas.core.languages), with its currency.
COUNTRIES = {"en": "IE", "nl": "NL", "de": "DE", "fr": "FR"}


@dataclass(frozen=True)
class Account:
    """A customer with two active users and one deactivated one."""

    customer: Any
    users: tuple[Any, ...]
    inactive: Any

    @property
    def id(self) -> int:
        return self.customer.id

    @property
    def user_addresses(self) -> set[str]:
        return {user.email for user in self.users}


def account(language: str, name: str | None = None) -> Account:
    """A customer whose documents (and so e-mails) are in `language`, from that language's country."""
    slug = factories.unique(language)
    customer = factories.customer(
        name=name or f"Kunde {slug} GmbH",
        country=COUNTRIES[language],
        currency="EUR",
        billing_email=f"ap-{slug}@customer.example",
    )
    users = tuple(
        factories.user(CUSTOMER, customer.id, email=f"{who}-{slug}@customer.example")
        for who in ("it", "fleet")
    )
    inactive = factories.user(CUSTOMER, customer.id, email=f"gone-{slug}@customer.example")
    deactivate_user(inactive.id)
    return Account(customer, users, inactive)


def admin(email: str | None = None) -> Any:
    return factories.user(ADMIN, email=email or f"{factories.unique('admin')}@daas.example")


def plain(message: EmailMessage) -> str:
    """The plain-text part, its lines ended as Python ends them (SMTP sends CRLF)."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def attachments(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    """File name -> (media type, bytes) of what is attached."""
    return {
        part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    }
