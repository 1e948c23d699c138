"""INTERFACE (replaced by the e-mail work): reading an e-mail to send, and sending it over SMTP."""

from __future__ import annotations

from dataclasses import dataclass

from daas.notifications.policy import MailSettings


class SendFailed(Exception):
    """The server refused or could not be reached: retried on the e-mail schedule."""


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: int
    to_address: str


def prepare_email(message_id: int) -> OutgoingEmail:
    raise NotImplementedError


def send_email(outgoing: OutgoingEmail, mail: MailSettings) -> None:
    raise NotImplementedError
