"""The identifier schemes Peppol BIS Billing 3.0 accepts, as its code lists define them.

- EAS, the Electronic Address Schemes of electronic addresses (BT-34 seller, BT-49 buyer; the
  `schemeID` of `cbc:EndpointID`, checked by rule PEPPOL-EN16931-CL008).
- ICD, the ISO 6523 International Code Designators of legal registration ids (BT-30, BT-47).

Version: the code lists of Peppol BIS Billing 3.0.21 (code list publication 2026-03-06, mandatory from
2026-08-24), which 3.0.22 (November 2026, mandatory from 2027-02-24) keeps unchanged. 3.0.21 corrected EAS,
which had pointed at the wrong list: it removed 0037, 0147, 0154, 0170, 0177, 0193, 0194, 0202, 0203, 0205,
0212, 0213, 0215 and 0217, and added 0242, 0246 and 0248; the UN/ECE 3155 codes (AN, AQ, AS, AU, EM) and
9901 are not in the Peppol list either. ICD gained 0246, 0247 and 0248. Source: the release
notes (guide/release-notes/v3.0.21.adoc, v3.0.22.adoc) and the `eaid` list of
rules/sch/PEPPOL-EN16931-UBL.sch in github.com/OpenPEPPOL/peppol-bis-invoice-3; the published lists are
at docs.peppol.eu/poacc/billing/3.0/codelist/.
When a new release changes a list, change it here and name the release above.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import luhn
from stdnum.au import abn
from stdnum.no import orgnr

EAS_SCHEMES = frozenset(
    (
        "0002",
        "0007",
        "0009",
        "0060",
        "0088",
        "0096",
        "0097",
        "0106",
        "0130",
        "0135",
        "0142",
        "0151",
        "0158",
        "0183",
        "0184",
        "0188",
        "0190",
        "0191",
        "0192",
        "0195",
        "0196",
        "0198",
        "0199",
        "0200",
        "0201",
        "0204",
        "0208",
        "0209",
        "0210",
        "0211",
        "0216",
        "0218",
        "0221",
        "0225",
        "0230",
        "0235",
        "0240",
        "0242",
        "0244",
        "0245",
        "0246",
        "0248",
        "9910",
        "9913",
        "9914",
        "9915",
        "9918",
        "9919",
        "9920",
        "9922",
        "9923",
        "9924",
        "9925",
        "9926",
        "9927",
        "9928",
        "9929",
        "9930",
        "9931",
        "9932",
        "9933",
        "9934",
        "9935",
        "9936",
        "9937",
        "9938",
        "9939",
        "9940",
        "9941",
        "9942",
        "9943",
        "9944",
        "9945",
        "9946",
        "9947",
        "9948",
        "9949",
        "9950",
        "9951",
        "9952",
        "9953",
        "9957",
        "9959",
    )
)

# ISO 6523 ICD as the Peppol list has it: every designator from 0002 to 0248 but four never assigned.
_ICD_UNASSIGNED = {92, 103, 181, 182}
ICD_SCHEMES = frozenset(f"{code:04d}" for code in range(2, 249) if code not in _ICD_UNASSIGNED)


def _gs1_check_digit_holds(value: str) -> bool:
    """GS1 (a GLN): from the right, the digits before the check digit weigh 3, 1, 3...; the sum plus the
    check digit is a multiple of ten."""
    *body, check = (int(c) for c in value)
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _belgian_enterprise_number_holds(value: str) -> bool:
    """0208: the last two digits are 97 minus the first eight modulo 97."""
    return int(value[8:]) == 97 - int(value[:8]) % 97


def _always(value: str) -> bool:
    return True


# What Peppol's rules check of an identifier's value, by scheme: its form, its check digits, and what it
# is (rules/sch/PEPPOL-EN16931-UBL.sch, PEPPOL-COMMON-R040 to R057, on electronic addresses, party
# identifiers and legal registration ids alike; the rules that 3.0.21 makes warnings are announced to
# become fatal, so daas keeps them already).
_VALUE_RULES: dict[str, tuple[str, Callable[[str], bool], str]] = {
    "0007": (r"[0-9]{10}", luhn.is_valid, "a Swedish organisation number: 10 digits, the last a check digit"),
    "0088": (r"[0-9]{2,}", _gs1_check_digit_holds, "a GLN: digits, the last a GS1 check digit"),
    "0096": (r"[0-9]{10}", _always, "a Danish P number, 10 digits"),
    "0106": (r"[0-9]{8}", _always, "a Dutch KvK number, 8 digits"),
    "0151": (r"[0-9]{11}", abn.is_valid, "an Australian Business Number: 11 digits that pass its check"),
    "0184": (r"(DK)?[0-9]{8}", _always, "a Danish CVR number, 8 digits (DK before them allowed)"),
    "0190": (r"[0-9]{20}", _always, "a Dutch OIN, 20 digits"),
    "0192": (
        r"[0-9]{9}",
        orgnr.is_valid,
        "a Norwegian organisation number: 9 digits, the last a check digit",
    ),
    "0198": (r"DK[0-9]{8}", _always, "a Danish ERSTORG number, DK and 8 digits"),
    "0208": (
        r"[0-9]{10}",
        _belgian_enterprise_number_holds,
        "a Belgian enterprise number: 10 digits, the last two its check (97 minus the first eight modulo 97)",
    ),
    "0217": (r"[0-9]{12}", _always, "a Dutch KvK establishment number, 12 digits"),
    "9944": (r"NL[0-9]{9}B[0-9]{2}", _always, "a Dutch VAT number such as NL123456789B01"),
}


def value_problem(scheme: str, value: str) -> str | None:
    """Why `value` is not an identifier of `scheme` as Peppol's rules check its form and check digits, or
    None when it is (or when Peppol checks nothing of that scheme's values)."""
    rule = _VALUE_RULES.get(scheme)
    if rule is None:
        return None
    pattern, check_digits_hold, what = rule
    if re.fullmatch(pattern, value) and check_digits_hold(value):
        return None
    return f"A {scheme} identifier is {what}."
