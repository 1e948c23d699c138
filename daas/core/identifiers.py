r"""The serial and code rules, pure: what the API's fields, the pages' forms and the services apply.

A device is addressed by its serial in URL paths (`/api/v1/devices/<serial>`, the logistics pages), so a
serial may hold only characters that need no escaping in a path segment and survive every client's URL
normalisation: letters, digits and `-`, `_`, `.`, `:`, starting with a letter or a digit (so `.` and `..`,
which clients resolve away, cannot be serials), at most 64 characters. Manufacturers' serials (S4EWNX0R123,
5CD1234XYZ, C02XG0FDH7JY) and asset tags (DEMO-DELL-LAT-5430-001, NL:AMS:0042) fit; `/`, `?`, `#`, `%`,
spaces and control characters, which would leave a device unreachable, do not.

A code is a machine name (a SKU, a plan or metric code, a pickup region), never part of a URL path:
letters, digits and `.`, `_`, `-`, `/`, starting with a letter or a digit. How long it may be is the
field's own (regions 32, other codes 64).

Each rule is written once, as the pattern the OpenAPI document states (`$` as JSON Schema reads it: the
end of the text) and as the expression Python applies (`CODE` ends in `\Z`, for `re.match` as a form's
Regexp uses it: `$` would let a line break after the code through; serials are matched whole).
"""

from __future__ import annotations

import re

from daas.core.peppol_schemes import EAS_SCHEMES, ICD_SCHEMES

SERIAL_MAX_LENGTH = 64
SERIAL_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._:\-]{{0,{SERIAL_MAX_LENGTH - 1}}}$"
SERIAL_MESSAGE = (
    f"A serial is 1 to {SERIAL_MAX_LENGTH} letters, digits and - _ . : starting with a letter or a digit."
)
_SERIAL = re.compile(SERIAL_PATTERN)

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"
CODE = re.compile(CODE_PATTERN.removesuffix("$") + r"\Z")

# A Stripe PaymentMethod id as Stripe.js hands it to the card page (pm_...), at most 64 characters.
PAYMENT_METHOD_PATTERN = r"^pm_[A-Za-z0-9_]+$"
PAYMENT_METHOD_MAX_LENGTH = 64


def serial_problem(serial: object) -> str | None:
    """Why `serial` cannot be a device's serial, or None when it can."""
    if not isinstance(serial, str) or not _SERIAL.fullmatch(serial):
        return SERIAL_MESSAGE
    return None


SCHEME_ID_MAX_LENGTH = 100


def scheme_id_problem(text: object, *, icd: bool) -> str | None:
    """Why `text` is not a `scheme:value` identifier with a scheme Peppol knows, or None when it is:
    an ISO 6523 ICD scheme for a legal registration id (`icd`), else an EAS scheme for an electronic
    address (Peppol participant id)."""
    what = (
        "an ISO 6523 ICD scheme (0106 for a Dutch KvK number)"
        if icd
        else "a Peppol EAS scheme (0208, 9925...)"
    )
    if not isinstance(text, str) or ":" not in text:
        return f"Write it as scheme:value, with {what}."
    scheme, _, value = text.strip().partition(":")
    scheme = scheme.strip()
    if scheme not in (ICD_SCHEMES if icd else EAS_SCHEMES):
        return f"Unknown scheme {scheme!r}: use {what}."
    if not value.strip() or len(text) > SCHEME_ID_MAX_LENGTH or any(c.isspace() for c in value.strip()):
        return f"The value after {scheme}: must be 1 to {SCHEME_ID_MAX_LENGTH - 5} characters without spaces."
    return None
