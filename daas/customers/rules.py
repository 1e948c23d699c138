"""Checks on customer data that need no database: VAT ids against their country."""

from __future__ import annotations

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from daas.core import countries


def vat_id_problem(vat_id: str, country: str) -> str | None:
    """Why `vat_id` is not a valid VAT id for a customer in `country`, or None when it is.

    EU VAT ids must carry the country's prefix and pass their national check digits (python-stdnum);
    outside the EU a tax id is free text, since formats vary and no VAT rule reads it.
    """
    if not countries.is_eu(country):
        return None if 2 <= len(vat_id) <= 20 else "Between 2 and 20 characters."
    prefix = countries.vat_prefix(country)
    try:
        compact = eu_vat.compact(vat_id)
    except ValidationError:  # no EU country prefix at all ("004495445B01", "US123")
        return f"An EU VAT id of a customer in {country} starts with {prefix}."
    if not compact.startswith(prefix):
        return f"An EU VAT id of a customer in {country} starts with {prefix}."
    if not eu_vat.is_valid(compact):
        return "Not a valid EU VAT id (format or check digits)."
    return None


def normalize_vat_id(vat_id: str, country: str) -> str:
    return eu_vat.compact(vat_id) if countries.is_eu(country) else vat_id.strip()
