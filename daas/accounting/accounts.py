"""The chart of accounts the journal posts to (docs/billing.md "Accounting journal"). Pure values.

Defaults follow a Dutch-style chart: 1100 bank, 1190 Stripe clearing, 1300 trade receivables, 1500 VAT
payable, 80xx revenue per kind of invoice line. Each account is a setting, `DAAS_ACCOUNT_<NAME>`, written
as its code, optionally followed by its name: `1300` or `1300 Debiteuren` (the default name is kept when
only a code is given). VAT payable can be split per rate with `DAAS_ACCOUNT_VAT_PAYABLE_BY_RATE`, rates in
percent: `21=1510 VAT payable high; 9=1520 VAT payable low`; a rate not named there posts to
`DAAS_ACCOUNT_VAT_PAYABLE`. Only standard-rated invoices carry VAT (category S): reverse-charged (AE) and
not-subject (O) invoices post no VAT line, and every journal row names the invoice's VAT category and
rate, so a bookkeeper can split revenue for the VAT return without more accounts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from daas.pricing.kinds import DEVICE_MONTHLY, METERED

# The kinds of invoice lines (daas.billing.models.LINE_KINDS, an ORM module this pure one does not import;
# tests/unit/test_journal.py checks they agree), each with its revenue account, and the kind of a
# credit-note line that credits an amount rather than a line (daas.billing.models.CREDIT).
MINIMUM_TRUE_UP, LATE_USAGE, ONE_OFF = "minimum_true_up", "late_usage", "one_off"
REVENUE_KINDS = (DEVICE_MONTHLY, METERED, MINIMUM_TRUE_UP, LATE_USAGE, ONE_OFF)
CREDIT = "credit"

SETTING_PREFIX = "DAAS_ACCOUNT_"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class Account:
    code: str
    name: str


def _revenue_defaults() -> tuple[tuple[str, Account], ...]:
    return (
        (DEVICE_MONTHLY, Account("8000", "Revenue device subscriptions")),
        (METERED, Account("8010", "Revenue metered usage")),
        (MINIMUM_TRUE_UP, Account("8020", "Revenue minimum true-up")),
        (LATE_USAGE, Account("8030", "Revenue late usage")),
        (ONE_OFF, Account("8040", "Revenue one-off charges")),
    )


@dataclass(frozen=True)
class ChartOfAccounts:
    """Where each amount of an invoice, credit note, payment or refund is posted."""

    receivables: Account = Account("1300", "Trade receivables")
    bank: Account = Account("1100", "Bank")
    stripe_clearing: Account = Account("1190", "Stripe clearing")
    vat_payable: Account = Account("1500", "VAT payable")
    # Credit notes of an amount (not of an invoice line) debit this contra-revenue account.
    credit: Account = Account("8090", "Credit notes on invoice amounts")
    revenue: tuple[tuple[str, Account], ...] = field(default_factory=_revenue_defaults)
    # Rates (fractions: 0.21) whose VAT goes to an account of its own instead of `vat_payable`.
    vat_payable_by_rate: tuple[tuple[Decimal, Account], ...] = ()

    def revenue_account(self, kind: str) -> Account:
        """The account of a line's kind: its revenue account, or `credit` for a credited amount."""
        if kind == CREDIT:
            return self.credit
        for known, account in self.revenue:
            if known == kind:
                return account
        raise ValueError(f"no revenue account for lines of kind {kind!r}")

    def vat_account(self, rate: Decimal) -> Account:
        for known, account in self.vat_payable_by_rate:
            if known == rate:
                return account
        return self.vat_payable


def parse_account(default: Account) -> Callable[[Any], Account]:
    """Reads `CODE` or `CODE Name of the account`; a bare code keeps the default's name."""

    def parse(text: Any) -> Account:
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"must be an account code, optionally followed by its name, not {text!r}")
        code, _, name = text.strip().partition(" ")
        if not _CODE.fullmatch(code):
            raise ValueError(
                f"{code!r} is not an account code (letters, digits, '.', '_' or '-', at most 20 characters)"
            )
        name = " ".join(name.split()) or default.name
        if len(name) > NAME_MAX_LENGTH:
            raise ValueError(f"an account name has at most {NAME_MAX_LENGTH} characters")
        return Account(code, name)

    return parse


def parse_rate_accounts(text: Any) -> tuple[tuple[Decimal, Account], ...]:
    """`21=1510 VAT payable high; 9=1520`: VAT rates in percent, each with its account; empty for none."""
    if not isinstance(text, str):
        raise ValueError(f"must be `rate=account; ...`, not {text!r}")
    found: list[tuple[Decimal, Account]] = []
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        rate_text, equals, account_text = part.partition("=")
        try:
            percent = Decimal(rate_text.strip())
        except InvalidOperation:
            percent = Decimal("NaN")
        if not equals or not percent.is_finite() or not 0 <= percent <= 100:
            raise ValueError(f"{part!r} is not `rate=account` with a rate in percent, such as `21=1510`")
        rate = percent / 100
        if any(known == rate for known, _ in found):
            raise ValueError(f"the rate {rate_text.strip()}% is named twice")
        found.append(
            (rate, parse_account(Account("", f"VAT payable {percent.normalize():f}%"))(account_text))
        )
    return tuple(found)


def chart_of_accounts(parsed: Callable[[str, Callable[[Any], Any]], Any]) -> ChartOfAccounts:
    """The chart from the `DAAS_ACCOUNT_*` settings. `parsed(key, parse)` reads one setting through
    `parse` (daas.settings' reader, which names the key when its value is wrong)."""
    default = ChartOfAccounts()

    def account(name: str, fallback: Account) -> Account:
        return parsed(SETTING_PREFIX + name, parse_account(fallback))

    return ChartOfAccounts(
        receivables=account("RECEIVABLES", default.receivables),
        bank=account("BANK", default.bank),
        stripe_clearing=account("STRIPE_CLEARING", default.stripe_clearing),
        vat_payable=account("VAT_PAYABLE", default.vat_payable),
        credit=account("CREDIT", default.credit),
        revenue=tuple(
            (kind, account(f"REVENUE_{kind.upper()}", fallback)) for kind, fallback in default.revenue
        ),
        vat_payable_by_rate=parsed(SETTING_PREFIX + "VAT_PAYABLE_BY_RATE", parse_rate_accounts),
    )
