"""EU-27 standard VAT rates, as data (billing.md "Taxes").

Rates change by national law a few times a year across the EU, so they live in one table with the day they
were last checked, not in code paths: a change is one new `(valid_from, rate)` row, and an invoice for an
earlier period still gets the rate that was in force then (rating a period again must give the same cents).

History is recorded for the changes since 2023, which is as far back as daas bills. The first entry of a
country without a recent change starts on 2000-01-01 as a sentinel meaning "since before daas"; it is not a
claim about the rate in 2000 (earlier temporary cuts such as Germany's 16 % in H2 2020 are not recorded).

Pure data and one lookup: no Flask, no database.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import Decimal

CHECKED_ON = date(2026, 11, 29)

SOURCE = (
    'European Commission, "VAT rates applied in the Member States of the European Union", cross-checked '
    "with a December 2025 overview of EU VAT rates; no standard-rate change was announced for 2026."
)

_SINCE_BEFORE_DAAS = date(2000, 1, 1)


def _since_before(percent: str) -> tuple[tuple[date, Decimal], ...]:
    return ((_SINCE_BEFORE_DAAS, Decimal(percent) / 100),)


def _history(*changes: tuple[date, str]) -> tuple[tuple[date, Decimal], ...]:
    return tuple((valid_from, Decimal(percent) / 100) for valid_from, percent in changes)


# ISO 3166-1 alpha-2 (Greece is GR here, although its VAT ids start with EL) -> ((valid_from, rate), ...),
# ascending by valid_from; a rate is a fraction (Decimal("0.21") is 21 %).
STANDARD_RATES: dict[str, tuple[tuple[date, Decimal], ...]] = {
    "AT": _since_before("20"),
    "BE": _since_before("21"),
    "BG": _since_before("20"),
    "HR": _since_before("25"),
    "CY": _since_before("19"),
    "CZ": _since_before("21"),
    "DK": _since_before("25"),
    "EE": _history((_SINCE_BEFORE_DAAS, "20"), (date(2024, 1, 1), "22"), (date(2025, 7, 1), "24")),
    "FI": _history((_SINCE_BEFORE_DAAS, "24"), (date(2024, 9, 1), "25.5")),
    "FR": _since_before("20"),
    "DE": _since_before("19"),
    "GR": _since_before("24"),
    "HU": _since_before("27"),
    "IE": _since_before("23"),
    "IT": _since_before("22"),
    "LV": _since_before("21"),
    "LT": _since_before("21"),
    # Luxembourg cut its rates by one point for 2023 only.
    "LU": _history((_SINCE_BEFORE_DAAS, "17"), (date(2023, 1, 1), "16"), (date(2024, 1, 1), "17")),
    "MT": _since_before("18"),
    "NL": _since_before("21"),
    "PL": _since_before("23"),
    "PT": _since_before("23"),
    "RO": _history((_SINCE_BEFORE_DAAS, "19"), (date(2025, 8, 1), "21")),
    "SK": _history((_SINCE_BEFORE_DAAS, "20"), (date(2025, 1, 1), "23")),
    "SI": _since_before("22"),
    "ES": _since_before("21"),
    "SE": _since_before("25"),
}


def standard_rate(country: str, on: date) -> Decimal:
    """The standard rate in force in `country` on the day `on` (the invoice's tax point).

    Raises ValueError for a country that is not in the table (not an EU member state) or a day before its
    first entry, because guessing a VAT rate would put a wrong tax on an invoice.
    """
    history = STANDARD_RATES.get(country)
    if history is None:
        raise ValueError(f"no standard VAT rate for country {country!r}")
    index = bisect_right([valid_from for valid_from, _ in history], on)
    if index == 0:
        raise ValueError(f"no standard VAT rate for {country} on {on.isoformat()}")
    return history[index - 1][1]
