"""What a person's details may be, one rule each, for every way they arrive (the API, the CSV import, the
pages): the API's schema states the same limits for its document, and the services apply these to what
reaches them, so a row of a spreadsheet is held to exactly what a JSON body is.

Pure: plain values in, problems (messages keyed by field, the address's parts nested under `address`) out.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from daas.core import countries, identifiers, money
from daas.core.text import text_problem

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_COST_CENTRE_LENGTH = 100
MAX_LINE_LENGTH = 200
MAX_POSTCODE_LENGTH = 20
MAX_CITY_LENGTH = 100
MAX_REGION_LENGTH = 32
# What an allowance may be: money with at most 2 decimals, not negative (12 digits before the point).
ALLOWANCE_RULE = money.DecimalRule(places=2, minimum=Decimal(0), max_digits=14)

# The address parts (API `address`) and the columns that keep them; all but line2 are required.
ADDRESS_COLUMNS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
}
REQUIRED_ADDRESS_PARTS = ("line1", "postcode", "city", "country")
_ADDRESS_LIMITS = {
    "line1": MAX_LINE_LENGTH,
    "line2": MAX_LINE_LENGTH,
    "postcode": MAX_POSTCODE_LENGTH,
    "city": MAX_CITY_LENGTH,
}

# The CSV import's columns, in this order, exactly (people.md / orders.md).
CSV_COLUMNS = (
    "name",
    "email",
    "cost_centre",
    "line1",
    "line2",
    "postcode",
    "city",
    "country",
    "region",
    "monthly_allowance",
)
# A file of more rows is refused whole: an import is one transaction, and larger lists go in parts.
MAX_IMPORT_ROWS = 5_000

NOT_AN_ADDRESS = "Not an e-mail address: a name, one @ and a domain, such as it@example.com."


def normalize_email(raw: str) -> str:
    """The address as kept: trimmed and composed (NFC); its case as given (people read it)."""
    return unicodedata.normalize("NFC", raw.strip())


def email_key(email: str) -> str:
    """What makes two addresses the same person's: the address lower-cased (unique per customer)."""
    return normalize_email(email).lower()


def email_problem(email: str) -> str | None:
    """Why `email` (normalized) cannot be a person's address, or None."""
    if not email:
        return "Enter an e-mail address."
    if len(email) > MAX_EMAIL_LENGTH:
        return f"At most {MAX_EMAIL_LENGTH} characters."
    if any(unicodedata.category(char)[0] in "CZ" for char in email):
        return "No spaces or control characters."
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    if not at or not local or "@" in local or len(labels) < 2 or not all(labels):
        return NOT_AN_ADDRESS
    return None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return "Not text."
    if not value.strip():
        return "Must not be blank."
    if len(value) > limit:
        return f"Longer than maximum length {limit}."
    return text_problem(value)


def region_problem(region: Any) -> str | None:
    if not isinstance(region, str) or not region:
        return "Not a region code."
    if len(region) > MAX_REGION_LENGTH:
        return f"Longer than maximum length {MAX_REGION_LENGTH}."
    if not identifiers.CODE.match(region):
        return "Not a code: letters, digits and . _ - / (starting with a letter or digit)."
    return None


def allowance_problem(amount: Any) -> str | None:
    if amount is None:
        return None
    if not isinstance(amount, Decimal):
        return money.NOT_DECIMAL_TEXT
    broken = ALLOWANCE_RULE.broken(amount)
    return None if broken is None else ALLOWANCE_RULE.message(broken)


def address_of(row: Any) -> dict[str, Any]:
    """The address parts of anything that keeps them in these columns (a person, an order, a shipment, a
    customer's billing address), as the API shows an address."""
    return {part: getattr(row, column) for part, column in ADDRESS_COLUMNS.items()}


def address_problems(address: Any, *, partial: bool) -> dict[str, list[str]]:
    """Problems of an address ({line1, line2?, postcode, city, country}); `partial` checks only the parts
    given (a PATCH), else the required ones must be there."""
    if not isinstance(address, dict):
        return {"_schema": ["Not an address object."]}
    problems: dict[str, list[str]] = {}
    for part in ADDRESS_COLUMNS:
        if part not in address:
            if not partial and part in REQUIRED_ADDRESS_PARTS:
                problems[part] = ["Missing data for required field."]
            continue
        value = address[part]
        if value is None:
            if part in REQUIRED_ADDRESS_PARTS:
                problems[part] = ["Field may not be null."]
            continue
        if part == "country":
            problem = (
                None
                if isinstance(value, str) and countries.is_country(value)
                else ("Not an ISO 3166-1 alpha-2 country code (such as NL, DE, US).")
            )
        else:
            problem = _text(value, _ADDRESS_LIMITS[part])
        if problem is not None:
            problems[part] = [problem]
    unknown = set(address) - set(ADDRESS_COLUMNS)
    for part in sorted(unknown):
        problems[part] = ["Unknown field."]
    return problems


def value_problems(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Problems of a person's details, keyed by field (the address's under `address`, by part). Without
    `partial` name, email and address are required; region and the allowance may be left out."""
    problems: dict[str, Any] = {}
    for name, limit in (("name", MAX_NAME_LENGTH), ("cost_centre", MAX_COST_CENTRE_LENGTH)):
        if name in values and not (name == "cost_centre" and values[name] is None):
            if (problem := _text(values[name], limit)) is not None:
                problems[name] = [problem]
        elif name == "name" and not partial:
            problems[name] = ["Missing data for required field."]
    if "email" in values:
        email = values["email"]
        problem = email_problem(normalize_email(email)) if isinstance(email, str) else NOT_AN_ADDRESS
        if problem is not None:
            problems["email"] = [problem]
    elif not partial:
        problems["email"] = ["Missing data for required field."]
    address = address_problems(values.get("address", {}), partial=partial)
    if address and ("address" in values or not partial):
        problems["address"] = address
    if values.get("region") is not None and (problem := region_problem(values["region"])) is not None:
        problems["region"] = [problem]
    if (problem := allowance_problem(values.get("monthly_allowance"))) is not None:
        problems["monthly_allowance"] = [problem]
    return problems


# -- the CSV import ----------------------------------------------------------------------------------------


def header_problem(header: list[str] | None) -> str | None:
    """Why a file's first row is not the import's header (the columns, in order), or None."""
    if header is None:
        return "The file is empty: the first row names the columns " + ",".join(CSV_COLUMNS) + "."
    names = [name.strip() for name in header]
    if tuple(names) == CSV_COLUMNS:
        return None
    missing = [name for name in CSV_COLUMNS if name not in names]
    extra = [name for name in names if name not in CSV_COLUMNS]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("unknown " + ", ".join(repr(name) for name in extra))
    if not parts:
        parts.append("in another order")
    return f"The columns must be {','.join(CSV_COLUMNS)} ({'; '.join(parts)})."


def row_values(cells: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A row's cells (column -> text) as a person's details, and the problems of cells that are not even
    the right kind of value (a malformed allowance); empty optional cells are left out or None, so an
    empty `region` takes the customer's and an empty `monthly_allowance` means no approval needed."""
    text = {name: (cells.get(name) or "").strip() for name in CSV_COLUMNS}
    problems: dict[str, Any] = {}
    values: dict[str, Any] = {
        "name": text["name"],
        "email": text["email"],
        "cost_centre": text["cost_centre"] or None,
        "address": {
            "line1": text["line1"],
            "line2": text["line2"] or None,
            "postcode": text["postcode"],
            "city": text["city"],
            "country": text["country"].upper(),
        },
        "monthly_allowance": None,
    }
    if text["region"]:
        values["region"] = text["region"]
    if text["monthly_allowance"]:
        if money.DECIMAL_TEXT.fullmatch(text["monthly_allowance"]):
            values["monthly_allowance"] = Decimal(text["monthly_allowance"])
        else:
            problems["monthly_allowance"] = [money.NOT_DECIMAL_TEXT]
    return values, problems
