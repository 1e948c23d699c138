"""The words and numbers of documents in each language (daas.billing.labels, documents.md)."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.billing import labels
from daas.core.languages import LANGUAGES
from daas.core.money import CURRENCY_EXPONENTS

D = Decimal
NNBSP = "\u202f"  # CLDR's French group separator
NBSP = "\xa0"


def test_every_key_exists_in_every_language() -> None:
    for key, texts in labels.LABELS.items():
        assert set(texts) == set(LANGUAGES), key
        for language in LANGUAGES:
            text = labels.label(language, key)
            assert text.strip() == text and text, (key, language)


def test_placeholders_agree_between_languages() -> None:
    fields = {
        key: {
            language: {name for _, name, _, _ in string.Formatter().parse(text) if name}
            for language, text in texts.items()
        }
        for key, texts in labels.LABELS.items()
    }
    for key, by_language in fields.items():
        assert len({frozenset(names) for names in by_language.values()}) == 1, key


def test_titles() -> None:
    assert [labels.label(lang, "invoice") for lang in LANGUAGES] == [
        "Invoice",
        "Factuur",
        "Rechnung",
        "Facture",
    ]
    assert labels.label("en", "credit_note") == "Credit note"


def test_unknown_language_or_key_is_refused() -> None:
    with pytest.raises(ValueError):
        labels.label("es", "invoice")
    with pytest.raises(KeyError):
        labels.label("en", "no such key")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"EUR{NBSP}1,234.56"),
        ("nl", f"EUR{NBSP}1.234,56"),
        ("de", f"1.234,56{NBSP}EUR"),
        ("fr", f"1{NNBSP}234,56{NBSP}EUR"),
    ],
)
def test_amounts_per_language(language: str, expected: str) -> None:
    assert labels.format_amount(D("1234.56"), "EUR", language) == expected


def test_amounts_take_the_currency_exponent() -> None:
    assert labels.format_amount(D("6274"), "JPY", "en") == f"JPY{NBSP}6,274"
    assert labels.format_amount(D("6274"), "JPY", "de") == f"6.274{NBSP}JPY"
    assert labels.format_amount(D("605"), "EUR", "nl") == f"EUR{NBSP}605,00"
    assert labels.format_amount(D("0"), "USD", "en") == f"USD{NBSP}0.00"
    assert labels.format_amount(D("1000000.005"), "EUR", "en") == f"EUR{NBSP}1,000,000.01"  # half up


@given(
    st.decimals(min_value=D("0"), max_value=D("9999999999.99"), places=2),
    st.sampled_from(LANGUAGES),
)
def test_amounts_keep_every_digit(amount: Decimal, language: str) -> None:
    text = labels.format_amount(amount, "EUR", language)
    digits = "".join(c for c in text if c.isdigit())
    assert int(digits) == int(amount * 100)


def test_prices_keep_their_decimals_up_to_six() -> None:
    assert labels.format_price(D("44.00"), "EUR", "en") == f"EUR{NBSP}44.00"
    assert labels.format_price(D("44"), "EUR", "en") == f"EUR{NBSP}44.00"
    assert labels.format_price(D("0.125000"), "EUR", "nl") == f"EUR{NBSP}0,125"
    assert labels.format_price(D("0.123456"), "EUR", "de") == f"0,123456{NBSP}EUR"
    assert labels.format_price(D("1774.1935"), "JPY", "en") == f"JPY{NBSP}1,774.1935"
    assert labels.format_price(D("1500"), "JPY", "fr") == f"1{NNBSP}500{NBSP}JPY"
    for currency in CURRENCY_EXPONENTS:
        assert labels.format_price(D("1.5"), currency, "en")


@pytest.mark.parametrize(
    ("quantity", "language", "expected"),
    [
        (D("248"), "en", "248"),
        (D("2.50"), "en", "2.5"),
        (D("2.50"), "nl", "2,5"),
        (D("1500"), "de", "1.500"),
        (D("1500"), "fr", f"1{NNBSP}500"),
        (D("100"), "en", "100"),
        (D("0.000"), "en", "0"),
        (D("0.123456"), "en", "0.123456"),
    ],
)
def test_quantities(quantity: Decimal, language: str, expected: str) -> None:
    assert labels.format_quantity(quantity, language) == expected


def test_units() -> None:
    assert labels.unit(D("248"), "DAY", "en") == "248 days"
    assert labels.unit(D("1"), "DAY", "en") == "1 day"
    assert labels.unit(D("248"), "DAY", "de") == "248 Tage"
    assert labels.unit(D("57"), "DAY", "nl") == "57 dagen"
    assert labels.unit(D("3"), "C62", "fr") == "3"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 December 2026"),
        ("nl", "1 december 2026"),
        ("de", "1. Dezember 2026"),
        ("fr", "1 décembre 2026"),
    ],
)
def test_dates(language: str, expected: str) -> None:
    assert labels.format_date(date(2026, 12, 1), language) == expected


def test_country_names_in_the_language() -> None:
    assert [labels.country("DE", lang) for lang in LANGUAGES] == [
        "Germany",
        "Duitsland",
        "Deutschland",
        "Allemagne",
    ]
    assert labels.country("be", "fr") == "Belgique"


def test_payment_terms() -> None:
    due = date(2026, 12, 1)
    for language in LANGUAGES:
        text = labels.payment_terms(language, due_date=due, by_card=False, number="INV-2026-000001")
        assert "INV-2026-000001" in text
        assert labels.format_date(due, language) in text
        assert text.count(".") == 1 + (language == "de")  # one sentence ("1. Dezember" has its own point)
        card = labels.payment_terms(language, due_date=due, by_card=True, number="INV-2026-000001")
        assert "Stripe" in card
        assert labels.payment_terms(language, due_date=None, by_card=False, number=None)
    assert (
        labels.payment_terms("en", due_date=due, by_card=False, number="INV-2026-000001")
        == "Payment by 1 December 2026, quoting INV-2026-000001."
    )
    assert (
        labels.payment_terms("en", due_date=due, by_card=False, number=None) == "Payment by 1 December 2026."
    )


def test_exemption_reasons() -> None:
    assert [labels.exemption_reason(lang, "AE") for lang in LANGUAGES] == [
        "Reverse charge",
        "BTW verlegd",
        "Steuerschuldnerschaft des Leistungsempfängers",
        "Autoliquidation",
    ]
    assert [labels.exemption_reason(lang, "O") for lang in LANGUAGES] == [
        "Not subject to VAT",
        "Niet onderworpen aan btw",
        "Nicht steuerbar",
        "Non soumis à la TVA",
    ]
    assert all(labels.exemption_reason(lang, "S") is None for lang in LANGUAGES)
    with pytest.raises(ValueError):
        labels.exemption_reason("en", "Z")


@pytest.mark.parametrize(
    ("rate", "language", "expected"),
    [
        (D("21.00"), "en", "21%"),
        (D("21.00"), "nl", "21%"),
        (D("19.00"), "de", f"19{NBSP}%"),
        (D("5.50"), "fr", f"5,5{NBSP}%"),
        (D("0.00"), "en", "0%"),
        (D("8.1"), "en", "8.1%"),
    ],
)
def test_vat_rates(rate: Decimal, language: str, expected: str) -> None:
    assert labels.format_percent(rate, language) == expected
