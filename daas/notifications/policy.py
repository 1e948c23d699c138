"""How daas sends: the SMTP server, webhooks' network rules, the retry schedules and the rounds' sizes.

Built once from the settings (daas.settings); plain values, so the domain and the tests take them as
arguments.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import timedelta

from daas.notifications.retry_rules import RetrySchedule

SMTP = "smtp"  # sent to the SMTP server below
CATCH = "catch"  # kept, shown on the admin pages as sent, never leaves the machine (make run)
MAIL_BACKENDS = (SMTP, CATCH)
SECURITY_MODES = ("none", "starttls", "ssl")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class MailSettings:
    backend: str = CATCH
    host: str = "127.0.0.1"
    port: int = 25
    security: str = "none"
    username: str = ""
    password: str = ""
    sender: str = "daas <notifications@daas.example>"
    timeout_seconds: float = 30.0
    # Where staff events go besides the admins' own e-mails.
    staff_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebhookSettings:
    # Addresses webhooks may reach although they are private, loopback or link-local (tests: 127.0.0.0/8).
    allowed_networks: tuple[Network, ...] = ()
    timeout_seconds: float = 10.0
    disable_after: timedelta = timedelta(days=3)
    # How much of an answer's body is kept with its attempt.
    excerpt_chars: int = 2000


@dataclass(frozen=True)
class NotificationSettings:
    mail: MailSettings = field(default_factory=MailSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    email_retries: RetrySchedule = field(default_factory=lambda: RetrySchedule.parse("1,5,15,60,240"))
    webhook_retries: RetrySchedule = field(
        default_factory=lambda: RetrySchedule.parse("1,2,4,8,16,32,64,128,256,512,720,720,720,720,720")
    )
    # A claimed message is another sender's to take once its lease is over (the sender died).
    lease: timedelta = timedelta(minutes=5)
    batch_size: int = 100
    sweep_seconds: float = 5.0
    # Reminders of an unpaid invoice, days after its due date; notices of a contract's end, days before.
    overdue_reminder_days: tuple[int, ...] = (1, 7, 14)
    end_of_term_notice_days: tuple[int, ...] = (90, 60, 30)
    # The address of the pages, for links in e-mails.
    public_url: str = "http://127.0.0.1:5000"


def parse_networks(text: str) -> tuple[Network, ...]:
    """`"127.0.0.0/8, ::1/128"` (empty: none)."""
    if not isinstance(text, str):
        raise ValueError(f"must be a comma-separated list of networks, not {text!r}")
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
        )
    except ValueError as error:
        raise ValueError(f"not a network: {error}") from None


def parse_days(text: str) -> tuple[int, ...]:
    """`"1,7,14"`: whole days, each at least 1, without repeats; empty means none."""
    if not isinstance(text, str | int):
        raise ValueError(f"must be a comma-separated list of days, not {text!r}")
    days = []
    for part in str(text).split(","):
        if not part.strip():
            continue
        if not part.strip().isdigit() or int(part) < 1:
            raise ValueError(f"each must be a whole number of days of at least 1, not {part.strip()!r}")
        days.append(int(part))
    if len(set(days)) != len(days):
        raise ValueError("a day is named twice")
    return tuple(days)


def parse_addresses(text: str) -> tuple[str, ...]:
    if not isinstance(text, str):
        raise ValueError(f"must be a comma-separated list of e-mail addresses, not {text!r}")
    addresses = tuple(part.strip() for part in text.split(",") if part.strip())
    for address in addresses:
        if "@" not in address:
            raise ValueError(f"not an e-mail address: {address!r}")
    return addresses
