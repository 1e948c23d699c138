"""Checks on customer data that need no database: VAT ids against their country and the issuer's own,
legal registration ids and Peppol participant ids (`scheme:value`), and what a customer lacks for Peppol."""

from __future__ import annotations

import re
from typing import Protocol

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from daas.core import countries, identifiers, peppol_schemes


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


def same_vat_id(vat_id: str, other: str) -> bool:
    """Whether two VAT ids are one, written alike or not ("NL 0044.95.445.B01" is NL004495445B01)."""
    return _compact(vat_id) == _compact(other) != ""


def _compact(vat_id: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", vat_id or "").upper()


ISSUER_VAT_ID_MESSAGE = "This is the issuer's own VAT id; a customer has a VAT id of its own."

# Dutch legal entities are registered with the Chamber of Commerce (KvK, ICD 0106), public bodies also
# by their OIN (0190); Peppol's Dutch rules accept no other scheme for a Dutch buyer (NL-R-005).
DUTCH_REGISTRATION_SCHEMES = ("0106", "0190")
# Where Peppol's national rules ask the buyer's legal registration id (documents.md: of Dutch buyers).
REGISTRATION_ASKED_IN = frozenset({"NL"})


def normalize_scheme_id(text: str) -> str:
    """`scheme:value` without the spaces around its parts."""
    scheme, _, value = text.strip().partition(":")
    return f"{scheme.strip()}:{value.strip()}"


def registration_id_problem(registration_id: str, country: str) -> str | None:
    """Why `registration_id` cannot be the legal registration id (BT-47) of a customer in `country`: not
    `scheme:value` with a Peppol ICD scheme, a value Peppol's rules refuse for that scheme, or (a Dutch
    customer) a scheme other than KvK or OIN. None when it can."""
    problem = _scheme_id_problem(registration_id, icd=True)
    scheme = registration_id.partition(":")[0].strip()
    if problem is None and country == "NL" and scheme not in DUTCH_REGISTRATION_SCHEMES:
        return "A Dutch customer is registered by its KvK number (0106:12345678) or OIN (0190:...)."
    return problem


def peppol_id_problem(peppol_id: str) -> str | None:
    """Why `peppol_id` is no Peppol participant id (BT-49): not `scheme:value` with a Peppol EAS scheme, or
    a value Peppol's rules refuse for that scheme. None when it is one."""
    return _scheme_id_problem(peppol_id, icd=False)


def _scheme_id_problem(text: str, *, icd: bool) -> str | None:
    text = normalize_scheme_id(text) if ":" in text else text
    problem = identifiers.scheme_id_problem(text, icd=icd)
    if problem is None:
        scheme, _, value = text.partition(":")
        problem = peppol_schemes.value_problem(scheme, value)
    return problem


class PeppolDetails(Protocol):
    """What a customer's invoices need of it to go over Peppol (a Customer has these attributes)."""

    country: str
    peppol_id: str | None
    registration_id: str | None
    address_line1: str | None
    postcode: str | None
    city: str | None


# What missing_for_peppol names, as the API names the fields, and as people read them.
PEPPOL_FIELD_LABELS = {
    "peppol_id": "Peppol id",
    "registration_id": "registration id",
    "billing_address.line1": "address line 1",
    "billing_address.postcode": "postcode",
    "billing_address.city": "city",
}


def missing_for_peppol(customer: PeppolDetails) -> list[str]:
    """What the customer lacks for its invoices to be offered as Peppol-ready, as API field names; empty
    when nothing does. Peppol needs the buyer's electronic address (its Peppol id, BT-49); daas writes a
    billing address with line 1, postcode and city on every invoice (BG-8), and Peppol's Dutch rules ask a
    Dutch buyer's address in full (NL-R-004) and its registration id (documents.md). Without them the UBL
    is still a valid EN 16931 invoice, only not one to send over Peppol."""
    present = {
        "peppol_id": customer.peppol_id,
        "billing_address.line1": customer.address_line1,
        "billing_address.postcode": customer.postcode,
        "billing_address.city": customer.city,
    }
    if customer.country in REGISTRATION_ASKED_IN:
        present["registration_id"] = customer.registration_id
    return [name for name, value in present.items() if not value]
