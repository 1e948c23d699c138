"""The installation's settings as one typed, frozen object, built and checked once when the app starts.

`config/settings.py` and the environment give flat keys (DAAS_*, STRIPE_*); `Settings.from_config` turns
them into the values each part of daas needs (the issuer printed on invoices, the Stripe account, the
dunning schedule, the upgrade policy...). A bad value stops the start-up with the key at fault, instead of
failing the first request or job that reads it. Entry points read `current_settings()` and hand use cases
the values they need; domain code never reads the Flask config.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from flask import Flask, current_app
from stdnum import iban

from config import SettingsError
from daas.accounting.accounts import ChartOfAccounts, chart_of_accounts
from daas.auth.sign_in import LockoutPolicy
from daas.billing.issuer import Issuer
from daas.billing.issuing import DocumentSettings
from daas.billing.run import RunSettings
from daas.contracts import end_of_term_rules as end_of_term
from daas.core import countries, identifiers, money
from daas.logistics.rules import UpgradePolicy
from daas.notifications import policy as notify
from daas.notifications.retry_rules import RetrySchedule
from daas.payments.cards import card_customers
from daas.payments.collection import CollectionPolicy
from daas.payments.dunning import parse_retry_days
from daas.payments.gateway import StripeSettings
from daas.payments.webhooks import EventRetries

EXTENSION_KEY = "daas.settings"
T = TypeVar("T")


@dataclass(frozen=True)
class LoginSettings:
    rate_limit: str
    rate_limit_per_address: str
    lockout: LockoutPolicy


@dataclass(frozen=True)
class SchedulerSettings:
    lease: timedelta
    late: timedelta
    sweep_seconds: int
    stop_seconds: int
    join_billing_runs: bool = True


@dataclass(frozen=True)
class Settings:
    env: str
    issuer: Issuer
    documents: DocumentSettings
    default_payment_terms_days: int
    billing_run: RunSettings
    stripe: StripeSettings
    stripe_publishable_key: str
    stripe_js_url: str
    collection: CollectionPolicy
    webhook_retries: EventRetries
    upgrade: UpgradePolicy
    booking_window_days: int
    refresh_lead_days: int
    login: LoginSettings
    hsts_seconds: int
    scheduler: SchedulerSettings
    accounts: ChartOfAccounts
    end_of_term: end_of_term.EndOfTermPolicy
    notifications: notify.NotificationSettings
    workshop_upgrade_fees: dict[str, Decimal]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Every setting daas reads, checked; SettingsError names the first one that is wrong."""
        read = _Reader(config)
        stripe = StripeSettings(
            read.text("STRIPE_API_KEY", empty=True),
            read.text("STRIPE_API_BASE"),
            read.text("STRIPE_WEBHOOK_SECRET", empty=True),
        )
        issuer_country = read.parsed("DAAS_ISSUER_COUNTRY", _country)
        issuer = Issuer(
            name=read.text("DAAS_ISSUER_NAME"),
            address_line1=read.text("DAAS_ISSUER_ADDRESS_LINE1"),
            postcode=read.text("DAAS_ISSUER_POSTCODE"),
            city=read.text("DAAS_ISSUER_CITY"),
            country=issuer_country,
            vat_id=read.text("DAAS_ISSUER_VAT_ID"),
            registration_id=read.parsed("DAAS_ISSUER_REGISTRATION_ID", _scheme_id(icd=True)),
            peppol_id=read.parsed("DAAS_ISSUER_PEPPOL_ID", _scheme_id(icd=False, empty=True)),
            email=read.text("DAAS_ISSUER_EMAIL"),
            iban=read.parsed("DAAS_ISSUER_IBAN", _iban),
            bic=read.text("DAAS_ISSUER_BIC"),
        )
        documents = DocumentSettings(issuer, functools.partial(card_customers, stripe))
        return cls(
            env=read.text("DAAS_ENV"),
            issuer=issuer,
            documents=documents,
            default_payment_terms_days=read.whole("DAAS_DEFAULT_PAYMENT_TERMS_DAYS", minimum=0),
            billing_run=RunSettings(
                documents,
                chunk_size=read.whole("DAAS_BILLING_CHUNK_SIZE", minimum=1),
                throttle_ms=read.whole("DAAS_BILLING_THROTTLE_MS", minimum=0),
                stale_after=timedelta(seconds=read.whole("DAAS_BILLING_RUN_STALE_SECONDS", minimum=1)),
            ),
            stripe=stripe,
            stripe_publishable_key=read.text("STRIPE_PUBLISHABLE_KEY", empty=True),
            stripe_js_url=read.text("STRIPE_JS_URL"),
            collection=CollectionPolicy(
                stripe,
                read.parsed("DAAS_DUNNING_RETRY_DAYS", parse_retry_days),
                timedelta(seconds=read.whole("DAAS_PAYMENT_CLAIM_SECONDS", minimum=1)),
            ),
            webhook_retries=read.parsed("DAAS_WEBHOOK_RETRY_MINUTES", EventRetries.parse),
            upgrade=UpgradePolicy(
                read.whole("DAAS_UPGRADE_MIN_BATTERY", minimum=0, maximum=100),
                read.whole("DAAS_UPGRADE_EXTENSION_MONTHS", minimum=0),
            ),
            booking_window_days=read.whole("DAAS_BOOKING_WINDOW_DAYS", minimum=1),
            refresh_lead_days=read.whole("DAAS_REFRESH_LEAD_DAYS", minimum=0),
            login=LoginSettings(
                read.text("DAAS_LOGIN_RATE_LIMIT"),
                read.text("DAAS_LOGIN_RATE_LIMIT_PER_ADDRESS"),
                LockoutPolicy(
                    read.whole("DAAS_LOGIN_MAX_FAILURES", minimum=0),
                    read.whole("DAAS_LOGIN_LOCKOUT_SECONDS", minimum=0),
                ),
            ),
            hsts_seconds=read.whole("DAAS_HSTS_SECONDS", minimum=0),
            scheduler=SchedulerSettings(
                lease=timedelta(seconds=read.whole("DAAS_SCHEDULER_LEASE_SECONDS", minimum=1)),
                late=timedelta(seconds=read.whole("DAAS_SCHEDULER_LATE_SECONDS", minimum=0)),
                sweep_seconds=read.whole("DAAS_SCHEDULER_SWEEP_SECONDS", minimum=1),
                stop_seconds=read.whole("DAAS_SCHEDULER_STOP_SECONDS", minimum=0),
                join_billing_runs=read.parsed("DAAS_SCHEDULER_JOIN_BILLING_RUNS", _flag),
            ),
            accounts=chart_of_accounts(read.parsed),
            end_of_term=end_of_term.EndOfTermPolicy(
                early_termination_share=read.parsed(
                    "DAAS_EARLY_TERMINATION_SHARE", _text_of(end_of_term.parse_share)
                ),
                buy_out_countries=read.parsed("DAAS_BUYOUT_COUNTRIES", _countries),
                grade_factors=read.parsed(
                    "DAAS_BUYOUT_GRADE_FACTORS", _text_of(end_of_term.parse_grade_factors)
                ),
                damage_fees=read.parsed("DAAS_DAMAGE_FEES", _text_of(end_of_term.parse_damage_fees)),
            ),
            notifications=_notification_settings(read),
            workshop_upgrade_fees=read.parsed("DAAS_WORKSHOP_UPGRADE_FEES", _text_of(parse_upgrade_fees)),
        )


def _notification_settings(read: _Reader) -> notify.NotificationSettings:
    backend = read.text("DAAS_MAIL_BACKEND")
    if backend not in notify.MAIL_BACKENDS:
        raise SettingsError(
            f"DAAS_MAIL_BACKEND must be one of {', '.join(notify.MAIL_BACKENDS)}, not {backend!r}."
        )
    security = read.text("DAAS_SMTP_SECURITY")
    if security not in notify.SECURITY_MODES:
        raise SettingsError(
            f"DAAS_SMTP_SECURITY must be one of {', '.join(notify.SECURITY_MODES)}, not {security!r}."
        )
    return notify.NotificationSettings(
        mail=notify.MailSettings(
            backend=backend,
            host=read.text("DAAS_SMTP_HOST"),
            port=read.whole("DAAS_SMTP_PORT", minimum=1, maximum=65535),
            security=security,
            username=read.text("DAAS_SMTP_USER", empty=True),
            password=read.text("DAAS_SMTP_PASSWORD", empty=True),
            sender=read.text("DAAS_MAIL_FROM"),
            timeout_seconds=read.whole("DAAS_SMTP_TIMEOUT_SECONDS", minimum=1),
            staff_addresses=read.parsed("DAAS_STAFF_EMAILS", notify.parse_addresses),
        ),
        webhooks=notify.WebhookSettings(
            allowed_networks=read.parsed("DAAS_WEBHOOK_ALLOWED_NETWORKS", notify.parse_networks),
            timeout_seconds=read.whole("DAAS_WEBHOOK_TIMEOUT_SECONDS", minimum=1),
            disable_after=timedelta(hours=read.whole("DAAS_WEBHOOK_DISABLE_AFTER_HOURS", minimum=1)),
        ),
        email_retries=read.parsed("DAAS_EMAIL_RETRY_MINUTES", RetrySchedule.parse),
        webhook_retries=read.parsed("DAAS_OUTBOUND_WEBHOOK_RETRY_MINUTES", RetrySchedule.parse),
        lease=timedelta(seconds=read.whole("DAAS_NOTIFICATION_LEASE_SECONDS", minimum=1)),
        batch_size=read.whole("DAAS_NOTIFICATION_BATCH_SIZE", minimum=1),
        sweep_seconds=read.parsed("DAAS_NOTIFICATION_SWEEP_SECONDS", _positive_seconds),
        overdue_reminder_days=read.parsed("DAAS_OVERDUE_REMINDER_DAYS", notify.parse_days),
        end_of_term_notice_days=read.parsed("DAAS_END_OF_TERM_NOTICE_DAYS", notify.parse_days),
        public_url=read.text("DAAS_PUBLIC_URL").rstrip("/"),
    )


def _flag(value: Any) -> bool:
    """A setting that is on or off (the environment's 1/0, true/false are converted at load)."""
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _positive_seconds(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a number of seconds: {value!r}")
    seconds = float(value)
    if not 0 < seconds < 86400:
        raise ValueError(f"must be more than 0 and less than a day of seconds, not {value!r}")
    return seconds


def install_settings(app: Flask) -> Settings:
    """Build the app's settings from its config (at start-up, in create_app) and keep them on the app."""
    settings = Settings.from_config(app.config)
    app.extensions[EXTENSION_KEY] = settings
    return settings


def current_settings() -> Settings:
    """The running app's settings."""
    return current_app.extensions[EXTENSION_KEY]


def _scheme_id(icd: bool, empty: bool = False) -> Callable[[Any], str]:
    """A `scheme:value` identifier whose scheme Peppol knows (ICD for registration ids, EAS for
    electronic addresses)."""

    def parse(text: Any) -> str:
        if not isinstance(text, str):
            raise ValueError(f"must be scheme:value, not {text!r}")
        if empty and not text.strip():
            return ""
        problem = identifiers.scheme_id_problem(text, icd=icd)
        if problem:
            raise ValueError(problem)
        return text.strip()

    return parse


def _iban(text: Any) -> str:
    if not isinstance(text, str) or not iban.is_valid(text):
        raise ValueError(f"not a valid IBAN: {text!r}")
    return iban.compact(text)


def _country(code: Any) -> str:
    if not isinstance(code, str) or not countries.is_country(code):
        raise ValueError(f"not an ISO 3166 country code: {code!r}")
    return code


def _text_of(parse: Callable[[str], T]) -> Callable[[Any], T]:
    """A parser of text settings that also takes a number the config file wrote as one (0.5)."""

    def read(value: Any) -> T:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"not a text: {value!r}")
        return parse(str(value))

    return read


def parse_upgrade_fees(text: str) -> dict[str, Decimal]:
    """`EUR=79.00, GBP=69.00`: what the what-if planner counts for an upgrade, per currency (a currency
    without a fee counts none); empty for none at all."""
    fees: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        currency, _, amount = (piece.strip() for piece in part.partition("="))
        if not money.is_known_currency(currency.upper()):
            raise ValueError(f"{part!r}: write CURRENCY=amount with an ISO 4217 currency")
        try:
            fee = Decimal(amount)
        except InvalidOperation as exc:
            raise ValueError(f"{part!r}: {amount!r} is not an amount") from exc
        if not fee.is_finite() or fee < 0 or money.decimal_places(fee) > money.exponent(currency.upper()):
            raise ValueError(f"{part!r}: an amount of 0 or more in the currency's minor units")
        fees[currency.upper()] = fee
    return fees


def _countries(value: Any) -> frozenset[str]:
    """A comma-separated list of ISO 3166 country codes ("BE, DE"), or empty."""
    if not isinstance(value, str):
        raise ValueError(f"not a list of country codes: {value!r}")
    return frozenset(_country(code.strip().upper()) for code in value.split(",") if code.strip())


class _Reader:
    """Reads one key at a time so that a wrong value is reported with its key."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def _value(self, key: str) -> Any:
        if key not in self.config:
            raise SettingsError(f"{key} is not set.")
        return self.config[key]

    def text(self, key: str, empty: bool = False) -> str:
        value = self._value(key)
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise SettingsError(f"{key} must be {'a' if empty else 'a non-empty'} string, not {value!r}.")
        return value

    def whole(self, key: str, minimum: int, maximum: int | None = None) -> int:
        value = self._value(key)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{key} must be a whole number, not {value!r}.")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            raise SettingsError(f"{key} must be {bound}, not {value}.")
        return value

    def parsed(self, key: str, parse: Callable[[Any], T]) -> T:
        value = self._value(key)
        try:
            return parse(value)
        except (TypeError, ValueError) as error:
            raise SettingsError(f"{key}: {error}") from error
