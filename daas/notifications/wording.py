"""What an event's e-mail says, in the reader's language (pure): the subject, the sentences the event
needs (a failed payment that will be retried says when; one given up says how to pay instead), a few facts
(number, amount, due date...), the link to the page it is about, and why the reader gets it.

The words are in daas.notifications.phrases; amounts and dates are written as the customer's documents
write them (daas.billing.labels: "EUR 1.234,56" in Dutch, "1 décembre 2026" in French), so an e-mail and
its invoice agree. The values come from the event's `data` as the outbox keeps them: decimals as exact
strings, dates and moments in ISO 8601.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from types import ModuleType
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date

from daas.billing.labels import LABELS, format_amount, format_date
from daas.core.periods import PERIOD
from daas.notifications.phrases import phrases

# Why the reader gets the e-mail, which its footer says.
BILLING = "billing"  # the customer's billing address (money events; cannot be turned off)
USER = "user"  # a user of the customer's account, who may turn the type off
STAFF = "staff"  # an admin, or one of the staff addresses
REASONS = (BILLING, USER, STAFF)

PREFERENCES_PATH = "/portal/notifications"
UNKNOWN = "—"  # shown for a value the event does not have

Data = Mapping[str, Any]


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Reader:
    """Who reads the e-mail: why they get it, and the customer it is about (None for staff)."""

    reason: str
    customer_name: str | None = None


@dataclass(frozen=True)
class Wording:
    """Everything an e-mail says; the layouts (templates/emails) only arrange it."""

    language: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    links: tuple[Link, ...]  # the first is the e-mail's button
    closing: str
    signature: str
    footer: str
    footer_link: Link | None
    separator: str  # between a label and its value in plain text


@dataclass(frozen=True)
class _Plan:
    """Which sentences of an event type to say (by the event's data), the page it links to (staff have
    their own pages), the facts listed (label key, value key) and which subject."""

    lines: Callable[[Data], tuple[str, ...]]
    path: Callable[[Data, bool], str]
    facts: tuple[tuple[str, str], ...] = ()
    subject: Callable[[Data], str] = lambda data: "subject"


def _say(*keys: str) -> Callable[[Data], tuple[str, ...]]:
    return lambda data: keys


def _page(path: str) -> Callable[[Data, bool], str]:
    return lambda data, staff: path.format_map(data)


_INVOICE_PAGE = _page("/portal/invoices/{invoice_id}")
_REFRESH_PAGE = _page("/portal/refresh-orders/{refresh_order_id}")
_SUBSCRIPTION_PAGE = _page("/portal/subscriptions/{contract_id}")
_SERIALS = (("fact_serials", "serials"),)
_ON_INVOICE = (("invoice_number", "invoice_number"), ("amount", "amount"))

PLANS: dict[str, _Plan] = {
    "invoice.issued": _Plan(
        _say("issued", "attached"),
        _INVOICE_PAGE,
        (
            ("invoice_number", "number"),
            ("period", "period"),
            ("issue_date", "issue_date"),
            ("due_date", "due_date"),
            ("total_gross", "total"),
        ),
    ),
    "credit_note.issued": _Plan(
        _say("issued", "settled", "attached"),
        _INVOICE_PAGE,
        (
            ("credit_note_number", "number"),
            ("preceding_invoice", "invoice_number"),
            ("issue_date", "issue_date"),
            ("amount_credited", "total"),
            ("reason", "reason"),
        ),
    ),
    "payment.succeeded": _Plan(_say("received"), _INVOICE_PAGE, _ON_INVOICE),
    "payment.failed": _Plan(
        lambda data: ("failed", "retry" if data["next_retry_at"] else "final"),
        _page("/portal/payment-method"),
        _ON_INVOICE,
    ),
    "invoice.overdue": _Plan(
        _say("overdue", "pay"),
        _INVOICE_PAGE,
        (("invoice_number", "number"), ("due_date", "due_date"), ("amount_due", "amount_due")),
    ),
    "refresh.proposed": _Plan(_say("proposed", "approve"), _REFRESH_PAGE),
    "refresh.approved": _Plan(
        lambda data: ("approved" if data["approved_by"] else "approved_anonymous", "next"), _REFRESH_PAGE
    ),
    "pickup.booked": _Plan(_say("booked", "ready"), _page("/portal/returns"), _SERIALS),
    "pickup.moved": _Plan(
        lambda data: ("moved" if data["previous_date"] else "moved_to", "ready"),
        _page("/portal/returns"),
        _SERIALS,
    ),
    "delivery.shipped": _Plan(
        _say("shipped"),
        _page("/portal/orders/{order_id}"),
        (("fact_carrier", "carrier"), ("fact_tracking_number", "tracking_number"), *_SERIALS),
    ),
    "delivery.delivered": _Plan(
        _say("delivered", "in_service"), _page("/portal/orders/{order_id}"), _SERIALS
    ),
    "contract.ending": _Plan(
        lambda data: ("renews", "renew_note") if data["auto_renew"] else ("ends", "choose"),
        _SUBSCRIPTION_PAGE,
        subject=lambda data: "subject_renewing" if data["auto_renew"] else "subject",
    ),
    "charge.pending": _Plan(_say("added", "billed"), _SUBSCRIPTION_PAGE, (("fact_device", "device_serial"),)),
    "job.failed": _Plan(_say("failed", "next"), _page("/finance/job-runs")),
    "webhook_endpoint.disabled": _Plan(
        _say("disabled", "next"), lambda data, staff: "/admin/webhooks" if staff else "/portal/webhooks"
    ),
}

# How each value of an event's data is written.
_AMOUNTS = frozenset({"total", "amount", "amount_due"})  # in the data's `currency`
_DATES = frozenset({"issue_date", "due_date", "pickup_date", "previous_date", "delivered_on", "end_date"})
_DAY_OF_MOMENT = frozenset({"paid_at", "next_retry_at"})  # the day is what the reader needs
_MOMENTS = frozenset({"due_at", "failing_since", "disabled_at"})  # to the minute, in UTC
# Free text that ends a sentence: its own full stop is dropped (the sentence has one).
_SENTENCE_ENDS = frozenset({"failure", "reason", "error", "description"})
# English is written as the documents write it: British dates ("1 December 2026").
_LOCALES = {"en": "en_GB"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_LOCALES.get(language, language))


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _month(value: str, language: str) -> str:
    """A billing period `2026-10` as "October 2026", "oktober 2026", "Oktober 2026", "octobre 2026"."""
    if not PERIOD.match(value):
        return value
    first = date(int(value[:4]), int(value[5:7]), 1)
    return babel_format_date(first, "LLLL y", locale=_locale(language))


def _count(number: int, noun: str, language: str, words: ModuleType) -> str:
    one, other = words.NOUNS[noun]
    return f"{number} {one if _locale(language).plural_form(number) == 'one' else other}"


def _written(key: str, value: Any, data: Data, language: str, words: ModuleType) -> str:
    if key in _AMOUNTS:
        return format_amount(Decimal(str(value)), data["currency"], language)
    if key in _DATES:
        return format_date(date.fromisoformat(value), language)
    if key in _DAY_OF_MOMENT:
        return format_date(_moment(value).date(), language)
    if key in _MOMENTS:
        moment = _moment(value)
        return words.COMMON["moment"].format(
            date=format_date(moment.date(), language), time=moment.strftime("%H:%M")
        )
    if key == "period":
        return _month(str(value), language)
    if key == "serials":
        return ", ".join(str(serial) for serial in value)
    text = " ".join(str(value).split())  # one line: a value never breaks a subject or a sentence
    return text.rstrip(".") if key in _SENTENCE_ENDS else text


def written_values(data: Data, language: str) -> dict[str, str]:
    """Every value of `data` as the language writes it (UNKNOWN where it is null), with what the sentences
    say of them: `devices` ("3 devices"), `days` ("7 days"), `kind` (a charge's kind in words)."""
    words = phrases(language)
    values = {
        key: UNKNOWN if value is None else _written(key, value, data, language, words)
        for key, value in data.items()
    }
    if "serials" in data:
        count = len(data["serials"] or ())
        unlisted = words.COMMON["devices_unlisted"]
        values["devices"] = _count(count, "device", language, words) if count else unlisted
    for key in ("days_overdue", "days_left"):
        if data.get(key) is not None:
            values["days"] = _count(int(data[key]), "day", language, words)
    if data.get("kind") is not None:
        values["kind"] = words.CHARGE_KINDS.get(data["kind"], values["kind"])
    return values


def _fact_label(key: str, language: str, words: ModuleType) -> str:
    return words.COMMON[key] if key.startswith("fact_") else LABELS[key][language]


def _footer(reader: Reader, words: ModuleType, public_url: str) -> tuple[str, Link | None]:
    if reader.reason == BILLING:
        return words.COMMON["footer_money"].format(customer=reader.customer_name), None
    if reader.reason == USER:
        choose = Link(words.COMMON["footer_preferences"], public_url + PREFERENCES_PATH)
        return words.COMMON["footer_users"].format(customer=reader.customer_name), choose
    return words.COMMON["footer_staff"], None


def _tracking(data: Data, words: ModuleType) -> tuple[Link, ...]:
    url = data.get("tracking_url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return (Link(words.COMMON["link_tracking"], url),)
    return ()


def compose(
    event_type: str, data: Data, language: str, reader: Reader, *, sender_name: str, public_url: str
) -> Wording:
    """The e-mail of an event of `event_type` with `data` for `reader`, in `language`. A KeyError when the
    data lacks a field its sentences name (the event is then recorded as not fanned out, with the error)."""
    if reader.reason not in REASONS:
        raise ValueError(f"unknown reader {reader.reason!r}")
    plan = PLANS[event_type]
    words = phrases(language)
    texts = words.EVENTS[event_type]
    values = written_values(data, language)
    staff = reader.reason == STAFF
    facts = tuple(
        (_fact_label(label, language, words), values[key])
        for label, key in plan.facts
        if values.get(key) not in (None, "", UNKNOWN)
    )
    action = Link(texts["action"], public_url + plan.path(data, staff))
    footer, footer_link = _footer(reader, words, public_url)
    return Wording(
        language=language,
        subject=texts[plan.subject(data)].format_map(values),
        greeting=words.COMMON["greeting"],
        paragraphs=tuple(texts[key].format_map(values) for key in plan.lines(data)),
        facts=facts,
        links=(action, *_tracking(data, words)),
        closing=words.COMMON["closing"],
        signature=sender_name,
        footer=footer,
        footer_link=footer_link,
        separator=words.COMMON["separator"],
    )
