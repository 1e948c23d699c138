"""What invoice lines say (documents.md "Lines"): the device model's and the metric's names, in the
document language, with its months and its decimal sign."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.billing import line_wording as wording
from daas.billing.models import InvoiceLine
from daas.core.languages import LANGUAGES
from daas.core.periods import Period

D = Decimal
OCT_2026 = Period.parse("2026-10")
LAPTOP = "Dell Latitude 5440"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Dell Latitude 5440: 57 device-days in October 2026"),
        ("nl", "Dell Latitude 5440: 57 apparaatdagen in oktober 2026"),
        ("de", "Dell Latitude 5440: 57 Gerätetage im Oktober 2026"),
        ("fr", f"Dell Latitude 5440{NBSP}: 57 jours-appareil en octobre 2026"),
    ],
)
def test_device_days(language: str, expected: str) -> None:
    assert wording.device_days(LAPTOP, 57, OCT_2026, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Dell Latitude 5440: 1 device-day in February 2028"),
        ("nl", "Dell Latitude 5440: 1 apparaatdag in februari 2028"),
        ("de", "Dell Latitude 5440: 1 Gerätetag im Februar 2028"),
        ("fr", f"Dell Latitude 5440{NBSP}: 1 jour-appareil en février 2028"),
    ],
)
def test_one_device_day(language: str, expected: str) -> None:
    assert wording.device_days(LAPTOP, 1, Period.parse("2028-02"), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Dell Latitude 5440: 11 device-days in October 2026 at 5000 a month"),
        ("nl", "Dell Latitude 5440: 11 apparaatdagen in oktober 2026 tegen 5000 per maand"),
        ("de", "Dell Latitude 5440: 11 Gerätetage im Oktober 2026 zu 5000 pro Monat"),
        ("fr", f"Dell Latitude 5440{NBSP}: 11 jours-appareil en octobre 2026 à 5000 par mois"),
    ],
)
def test_device_days_keep_the_monthly_price_where_the_line_price_is_per_day(
    language: str, expected: str
) -> None:
    # documents.md: in yen the price is the amount ÷ the days, so the description keeps the monthly price.
    assert wording.device_days(LAPTOP, 11, OCT_2026, language, monthly=D(5000), currency="JPY") == expected


def test_device_without_a_name_is_devices_in_the_language() -> None:
    assert [wording.device_days(None, 2, OCT_2026, language) for language in LANGUAGES] == [
        "Devices: 2 device-days in October 2026",
        "Apparaten: 2 apparaatdagen in oktober 2026",
        "Geräte: 2 Gerätetage im Oktober 2026",
        f"Appareils{NBSP}: 2 jours-appareil en octobre 2026",
    ]


@pytest.mark.parametrize(
    ("language", "tier", "flat", "volume", "packages"),
    [
        (
            "en",
            "Support tickets, units 11-13 at 15.00",
            "Support tickets, flat fee (units 1-10)",
            "Support tickets, 13 units at 1.50",
            "Support tickets, 13 units in packages of 10",
        ),
        (
            "nl",
            "Support tickets, eenheden 11-13 à 15,00",
            "Support tickets, vast bedrag (eenheden 1-10)",
            "Support tickets, 13 eenheden à 1,50",
            "Support tickets, 13 eenheden in pakketten van 10",
        ),
        (
            "de",
            "Support tickets, Einheiten 11-13 zu je 15,00",
            "Support tickets, Grundgebühr (Einheiten 1-10)",
            "Support tickets, 13 Einheiten zu je 1,50",
            "Support tickets, 13 Einheiten in Paketen zu 10",
        ),
        (
            "fr",
            "Support tickets, unités 11 à 13 au prix unitaire de 15,00",
            "Support tickets, forfait (unités 1 à 10)",
            "Support tickets, 13 unités au prix unitaire de 1,50",
            "Support tickets, 13 unités par lots de 10",
        ),
    ],
)
def test_metered_lines(language: str, tier: str, flat: str, volume: str, packages: str) -> None:
    name = "Support tickets"
    assert wording.tier(name, D(10), D(13), D("15.00"), "EUR", language) == tier
    assert wording.flat(name, D(0), D(10), language) == flat
    assert wording.volume(name, D(13), D("1.5"), "EUR", language) == volume
    assert wording.packages(name, D(13), 10, language) == packages


@pytest.mark.parametrize(
    ("language", "minimum", "late"),
    [
        (
            "en",
            "Minimum commitment 500.00 for October 2026 (31 of 31 days)",
            "Late usage October 2026: Support tickets",
        ),
        (
            "nl",
            "Minimumafname 500,00 voor oktober 2026 (31 van 31 dagen)",
            "Nagekomen verbruik oktober 2026: Support tickets",
        ),
        (
            "de",
            "Mindestumsatz 500,00 für Oktober 2026 (31 von 31 Tagen)",
            "Nachträgliche Nutzung Oktober 2026: Support tickets",
        ),
        (
            "fr",
            "Engagement minimum 500,00 pour octobre 2026 (31 jours sur 31)",
            f"Consommation tardive, octobre 2026{NBSP}: Support tickets",
        ),
    ],
)
def test_minimum_true_up_and_late_usage(language: str, minimum: str, late: str) -> None:
    assert wording.minimum_true_up(D("500.00"), "EUR", 31, OCT_2026, language) == minimum
    assert wording.late_usage("Support tickets", OCT_2026, language) == late


def test_minimum_of_one_day_and_in_yen() -> None:
    assert wording.minimum_true_up(D("16.13"), "EUR", 1, Period.parse("2026-01"), "fr") == (
        "Engagement minimum 16,13 pour janvier 2026 (1 jour sur 31)"
    )
    assert wording.minimum_true_up(D(19355), "JPY", 12, OCT_2026, "en") == (
        "Minimum commitment 19355 for October 2026 (12 of 31 days)"
    )


def test_the_units_of_a_tier() -> None:
    assert wording.units(D(10), D(13), "en") == "units 11-13"
    assert wording.units(D(10), D(11), "en") == "unit 11"
    assert wording.units(D(10), None, "en") == "units from 11"
    assert (
        wording.units(D("10.000000"), D("13.000000"), "de") == "Einheiten 11-13"
    )  # as the columns hold them
    assert wording.units(D(5), D("5.5"), "nl") == "eenheden boven 5 tot en met 5,5"
    assert wording.units(D("2.5"), None, "fr") == "unités au-delà de 2,5"


def test_numbers_carry_the_language_decimal_sign_and_no_grouping() -> None:
    assert wording.amount(D("1234567.50"), "EUR", "en") == "1234567.50"
    assert wording.amount(D("1234567.50"), "EUR", "de") == "1234567,50"
    assert wording.amount(D(5000), "JPY", "fr") == "5000"
    assert wording.price(D("0.125"), "EUR", "nl") == "0,125"
    assert wording.price(D("44"), "EUR", "en") == "44.00"
    assert wording.price(D("1.283871"), "EUR", "en") == "1.283871"
    assert wording.quantity(D("2.500000"), "de") == "2,5"
    assert wording.quantity(D("0.000000"), "en") == "0"


def test_metered_per_unit_names_the_month_and_a_fitted_price() -> None:
    assert wording.metered("Express swaps", OCT_2026, "en") == "Express swaps in October 2026"
    assert wording.metered("Express swaps", OCT_2026, "de") == "Express swaps im Oktober 2026"
    assert (
        wording.metered("Calls", OCT_2026, "nl", each=D("0.35"), currency="JPY")
        == "Calls in oktober 2026 à 0,35 per stuk"
    )
    assert (
        wording.packages("Calls", D(13), 10, "en", each=D("25.5"), currency="JPY")
        == "Calls, 13 units in packages of 10 at 25.5 a package"
    )


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="document language"):
        wording.late_usage("Support tickets", OCT_2026, "es")


def test_the_limit_is_the_description_column() -> None:
    assert InvoiceLine.__table__.c.description.type.length == wording.DESCRIPTION_LIMIT


@given(
    name=st.text(min_size=1, max_size=400),
    language=st.sampled_from(LANGUAGES),
    days=st.integers(min_value=1, max_value=10**9),
)
def test_long_names_are_shortened_to_fit(name: str, language: str, days: int) -> None:
    texts = [
        wording.device_days(name, days, OCT_2026, language, monthly=D("123456.123456"), currency="EUR"),
        wording.tier(name, D(10**9), D(10**9 + 7), D("123456.123456"), "EUR", language),
        wording.flat(name, D("0.5"), D("9999999.5"), language),
        wording.volume(name, D(days), D("1.5"), "EUR", language),
        wording.packages(name, D(days), 1000, language, each=D("0.123456"), currency="JPY"),
        wording.metered(name, OCT_2026, language, each=D("1.5"), currency="EUR"),
        wording.late_usage(name, OCT_2026, language),
    ]
    for text in texts:
        assert len(text) <= wording.DESCRIPTION_LIMIT
        assert name in text or wording.ELLIPSIS in text  # whole, or shortened visibly
        if len(name) <= 100:
            assert name in text  # a name of reasonable length is kept whole
