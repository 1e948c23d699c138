"""VAT (billing.md "Taxes"): the rate and note of an invoice, the rate table, and the one rounding of tax."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.billing import tax, vat_rates
from daas.billing.tax import OUTSIDE_EU_NOTE, REVERSE_CHARGE_NOTE, TaxDecision, decide_tax
from daas.core.countries import EU_MEMBER_STATES
from daas.core.money import exponent, round_money

NOV_2026 = date(2026, 11, 1)


# -- decide_tax -------------------------------------------------------------------------------------


def test_domestic_customer_pays_the_issuer_rate() -> None:
    assert decide_tax("NL", "NL", None, NOV_2026) == TaxDecision(Decimal("0.21"), None)
    assert decide_tax("NL", "NL", "NL123456789B01", NOV_2026) == TaxDecision(Decimal("0.21"), None)
    assert decide_tax("DE", "DE", None, NOV_2026) == TaxDecision(Decimal("0.19"), None)


def test_eu_business_with_vat_id_is_reverse_charged() -> None:
    decision = decide_tax("NL", "DE", "DE123456789", NOV_2026)
    assert decision.rate == 0
    assert decision.note == "VAT reverse charged (Article 196, Council Directive 2006/112/EC)"
    assert decision.note == REVERSE_CHARGE_NOTE


def test_greece_by_country_code_gr_is_reverse_charged() -> None:
    assert decide_tax("NL", "GR", "EL123456789", NOV_2026) == TaxDecision(Decimal(0), REVERSE_CHARGE_NOTE)


@pytest.mark.parametrize("vat_id", [None, "", "   ", "\t"])
def test_eu_customer_without_vat_id_pays_the_issuer_rate(vat_id: str | None) -> None:
    # The issuer's rate (NL 21 %), not the customer's country's (DE 19 %).
    assert decide_tax("NL", "DE", vat_id, NOV_2026) == TaxDecision(Decimal("0.21"), None)


@pytest.mark.parametrize("country", ["US", "GB", "CH", "NO", "JP"])
@pytest.mark.parametrize("vat_id", [None, "GB123456789"])
def test_customer_outside_the_eu_is_outside_the_scope(country: str, vat_id: str | None) -> None:
    decision = decide_tax("NL", country, vat_id, NOV_2026)
    assert decision == TaxDecision(Decimal(0), "Outside the scope of EU VAT")
    assert decision.note == OUTSIDE_EU_NOTE


@pytest.mark.parametrize("issuer", ["US", "GB", "CH", "XX", ""])
def test_issuer_outside_the_eu_is_a_configuration_error(issuer: str) -> None:
    with pytest.raises(ValueError, match="issuer"):
        decide_tax(issuer, "NL", None, NOV_2026)


@pytest.mark.parametrize(
    ("issuer", "on", "rate"),
    [
        ("FI", date(2024, 8, 31), "0.24"),
        ("FI", date(2024, 9, 1), "0.255"),
        ("EE", date(2023, 12, 31), "0.20"),
        ("EE", date(2024, 1, 1), "0.22"),
        ("EE", date(2025, 6, 30), "0.22"),
        ("EE", date(2025, 7, 1), "0.24"),
        ("RO", date(2025, 7, 31), "0.19"),
        ("RO", date(2025, 8, 1), "0.21"),
        ("SK", date(2024, 12, 31), "0.20"),
        ("SK", date(2025, 1, 1), "0.23"),
        ("LU", date(2022, 12, 31), "0.17"),
        ("LU", date(2023, 6, 1), "0.16"),
        ("LU", date(2024, 1, 1), "0.17"),
    ],
)
def test_the_rate_in_force_on_the_day(issuer: str, on: date, rate: str) -> None:
    assert decide_tax(issuer, issuer, None, on) == TaxDecision(Decimal(rate), None)
    # A customer in another EU country without a VAT id pays the same issuer rate on that day.
    other = "NL" if issuer != "NL" else "DE"
    assert decide_tax(issuer, other, None, on).rate == Decimal(rate)


# -- the table --------------------------------------------------------------------------------------


def test_table_holds_exactly_the_27_member_states() -> None:
    assert set(vat_rates.STANDARD_RATES) == set(EU_MEMBER_STATES)
    assert len(vat_rates.STANDARD_RATES) == 27
    assert "GR" in vat_rates.STANDARD_RATES  # the country code, not the VAT prefix EL
    assert "EL" not in vat_rates.STANDARD_RATES


def test_each_history_is_ascending_and_changes_the_rate() -> None:
    for country, history in vat_rates.STANDARD_RATES.items():
        assert history, country
        starts = [valid_from for valid_from, _ in history]
        assert starts == sorted(set(starts)), country  # strictly ascending
        rates = [rate for _, rate in history]
        assert all(a != b for a, b in itertools.pairwise(rates)), country  # one entry per rate


def test_every_rate_respects_the_eu_minimum_and_is_plausible() -> None:
    # Directive 2006/112/EC art. 97: the standard rate is at least 15 %; none exceeds Hungary's 27 %.
    for country, history in vat_rates.STANDARD_RATES.items():
        for _, rate in history:
            assert Decimal("0.15") <= rate <= Decimal("0.28"), (country, rate)


@pytest.mark.parametrize(
    ("country", "rate"),
    [
        ("AT", "20"), ("BE", "21"), ("BG", "20"), ("HR", "25"), ("CY", "19"), ("CZ", "21"), ("DK", "25"),
        ("EE", "24"), ("FI", "25.5"), ("FR", "20"), ("DE", "19"), ("GR", "24"), ("HU", "27"), ("IE", "23"),
        ("IT", "22"), ("LV", "21"), ("LT", "21"), ("LU", "17"), ("MT", "18"), ("NL", "21"), ("PL", "23"),
        ("PT", "23"), ("RO", "21"), ("SK", "23"), ("SI", "22"), ("ES", "21"), ("SE", "25"),
    ],
)  # fmt: skip
def test_rates_in_force_when_checked(country: str, rate: str) -> None:
    assert vat_rates.standard_rate(country, vat_rates.CHECKED_ON) == Decimal(rate) / 100


def test_checked_on_and_source() -> None:
    assert vat_rates.CHECKED_ON.isoformat() == "2026-11-29"
    assert "European Commission" in vat_rates.SOURCE
    assert "2026" in vat_rates.SOURCE
    assert "\n" not in vat_rates.SOURCE


def test_standard_rate_refuses_unknown_countries_and_days_before_the_table() -> None:
    for country in ("US", "GB", "EL", "nl", ""):
        with pytest.raises(ValueError):
            vat_rates.standard_rate(country, NOV_2026)
    with pytest.raises(ValueError):
        vat_rates.standard_rate("NL", date(1999, 12, 31))


# -- amounts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subtotal", "rate", "currency", "expected"),
    [
        ("500.00", "0.21", "EUR", "105.00"),
        ("0.05", "0.21", "EUR", "0.01"),  # 0.0105
        ("2.50", "0.21", "EUR", "0.53"),  # 0.525: half up, not half even (0.52)
        ("2.30", "0.21", "EUR", "0.48"),  # 0.483
        ("0.02", "0.21", "EUR", "0.00"),  # 0.0042
        ("100.00", "0.255", "EUR", "25.50"),
        ("0.10", "0.255", "EUR", "0.03"),  # 0.0255
        ("500.00", "0", "EUR", "0.00"),
        ("1250", "0.21", "JPY", "263"),  # 262.5 -> 263
        ("1249", "0.21", "JPY", "262"),  # 262.29
        ("1000", "0.10", "JPY", "100"),
    ],
)
def test_tax_amount_rounds_half_up_once(subtotal: str, rate: str, currency: str, expected: str) -> None:
    amount = tax.tax_amount(Decimal(subtotal), Decimal(rate), currency)
    assert amount == Decimal(expected)
    assert str(amount) == expected  # exactly the currency's exponent


@given(
    subtotal=st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2),
    rate=st.sampled_from(
        sorted({rate for history in vat_rates.STANDARD_RATES.values() for _, rate in history})
    ),
    currency=st.sampled_from(["EUR", "SEK", "PLN", "DKK"]),
)
def test_tax_is_within_half_a_cent_of_the_exact_amount(
    subtotal: Decimal, rate: Decimal, currency: str
) -> None:
    amount = tax.tax_amount(subtotal, rate, currency)
    assert abs(amount - subtotal * rate) <= Decimal("0.005")
    assert -amount.as_tuple().exponent == exponent(currency)
    assert amount == round_money(subtotal * rate, currency)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("0.21", "21.00"),
        ("0.255", "25.50"),
        ("0", "0.00"),
        ("0.19", "19.00"),
        ("0.27", "27.00"),
        ("0.2", "20.00"),
        ("0.055", "5.50"),
        ("0.17", "17.00"),
    ],
)
def test_percent(rate: str, expected: str) -> None:
    assert tax.percent(Decimal(rate)) == expected
