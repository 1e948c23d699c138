"""VAT on an invoice (billing.md "Taxes"): which rate applies and which note the invoice must carry.

The decision depends only on the issuer's country, the customer's country and VAT id, and the day, so it is
a pure function: the billing run, previews and PDFs all print the same rate and note. Tax is computed once
per invoice on the subtotal, not per line, so the invoice's tax equals `round_half_up(subtotal × rate)`
exactly as a finance user would recompute it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from daas.billing.vat_rates import STANDARD_RATES, standard_rate
from daas.core.countries import is_eu
from daas.core.money import round_money

ZERO = Decimal(0)

REVERSE_CHARGE_NOTE = "VAT reverse charged (Article 196, Council Directive 2006/112/EC)"
OUTSIDE_EU_NOTE = "Outside the scope of EU VAT"

# EN 16931 VAT categories (BT-118) and exemption reason codes (BT-121) of the three cases.
STANDARD, REVERSE_CHARGE, NOT_SUBJECT = "S", "AE", "O"
EXEMPTION_CODES = {REVERSE_CHARGE: "VATEX-EU-AE", NOT_SUBJECT: "VATEX-EU-O"}
_CATEGORY_BY_NOTE = {None: STANDARD, REVERSE_CHARGE_NOTE: REVERSE_CHARGE, OUTSIDE_EU_NOTE: NOT_SUBJECT}


@dataclass(frozen=True)
class TaxDecision:
    rate: Decimal  # a fraction: Decimal("0.21") is 21 %
    note: str | None  # the legal mention the invoice must print, if any

    @property
    def category(self) -> str:
        return tax_category(self.note)


def tax_category(note: str | None) -> str:
    """The EN 16931 VAT category of an invoice taxed with this note (the note names the case): S, AE, O."""
    try:
        return _CATEGORY_BY_NOTE[note]
    except KeyError:
        raise ValueError(f"no VAT category for the tax note {note!r}") from None


def _has_vat_id(vat_id: str | None) -> bool:
    return bool(vat_id and vat_id.strip())


def decide_tax(
    issuer_country: str, customer_country: str, customer_vat_id: str | None, on: date
) -> TaxDecision:
    """The VAT rate and note for an invoice dated `on`.

    - customer in the issuer's country: the issuer country's standard rate;
    - customer in another EU country with a VAT id: reverse charge (the customer accounts for the VAT);
    - customer in another EU country without a VAT id: the issuer country's rate;
    - customer outside the EU: no EU VAT.

    The issuer must be an EU member state with a rate in the table: anything else is a configuration error
    (DAAS_ISSUER_COUNTRY), raised as ValueError rather than silently invoicing without VAT.
    """
    issuer = issuer_country.strip().upper()
    customer = customer_country.strip().upper()
    if not is_eu(issuer) or issuer not in STANDARD_RATES:
        raise ValueError(f"the issuer country must be an EU member state, not {issuer_country!r}")
    if customer == issuer:
        return TaxDecision(rate=standard_rate(issuer, on), note=None)
    if not is_eu(customer):
        return TaxDecision(rate=ZERO, note=OUTSIDE_EU_NOTE)
    if _has_vat_id(customer_vat_id):
        return TaxDecision(rate=ZERO, note=REVERSE_CHARGE_NOTE)
    return TaxDecision(rate=standard_rate(issuer, on), note=None)


def tax_amount(subtotal: Decimal, rate: Decimal, currency: str) -> Decimal:
    """`round_half_up(subtotal × rate)` to the currency's exponent: one rounding per invoice."""
    return round_money(subtotal * rate, currency)


def percent(rate: Decimal) -> str:
    """A rate as the percentage printed on invoices, with two decimals: 0.255 -> "25.50"."""
    return f"{(rate * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
