"""Countries (ISO 3166-1 alpha-2) and the EU membership that VAT rules depend on."""

from __future__ import annotations

import pycountry

# EU member states as of 2026 (27). Greece uses "EL" as its VAT prefix but "GR" as its country code.
EU_MEMBER_STATES = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"}
    | {"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)
_VAT_PREFIX_EXCEPTIONS = {"GR": "EL"}
# Every ISO 3166-1 alpha-2 code, as the API documents and accepts them.
COUNTRY_CODES = tuple(sorted(country.alpha_2 for country in pycountry.countries))


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def is_eu(code: str) -> bool:
    return code in EU_MEMBER_STATES


def vat_prefix(code: str) -> str:
    """The two letters an EU VAT id starts with for this country."""
    return _VAT_PREFIX_EXCEPTIONS.get(code, code)
