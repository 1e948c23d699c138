"""VAT ids against the customer's country: EU prefix and check digits, free text elsewhere."""

from __future__ import annotations

import pytest

from daas.customers.rules import normalize_vat_id, vat_id_problem


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [
        ("NL004495445B01", "NL"),
        ("DE136695976", "DE"),
        ("EL094259216", "GR"),  # Greece: country GR, VAT prefix EL
        ("nl 0044.95.445.b01", "NL"),  # separators and lower case as people type them
        ("DE 136 695 976", "DE"),
    ],
)
def test_valid_eu_vat_ids(vat_id: str, country: str) -> None:
    assert vat_id_problem(vat_id, country) is None


@pytest.mark.parametrize(
    ("vat_id", "country", "normalized"),
    [
        ("nl 0044.95.445.b01", "NL", "NL004495445B01"),
        ("DE 136 695 976", "DE", "DE136695976"),
        ("el 094 259 216", "GR", "EL094259216"),
        ("  12-3456789 ", "US", "12-3456789"),
    ],
)
def test_normalize_vat_id(vat_id: str, country: str, normalized: str) -> None:
    assert normalize_vat_id(vat_id, country) == normalized


@pytest.mark.parametrize(
    ("vat_id", "country", "problem"),
    [
        ("NL004495445B01", "DE", "An EU VAT id of a customer in DE starts with DE."),
        ("DE136695976", "NL", "An EU VAT id of a customer in NL starts with NL."),
        ("GR094259216", "GR", "An EU VAT id of a customer in GR starts with EL."),
        ("EL094259216", "CY", "An EU VAT id of a customer in CY starts with CY."),
        # No EU prefix at all: the national number alone, or another country's tax id.
        ("004495445B01", "NL", "An EU VAT id of a customer in NL starts with NL."),
        ("US123456789", "DE", "An EU VAT id of a customer in DE starts with DE."),
        ("X1", "FR", "An EU VAT id of a customer in FR starts with FR."),
    ],
)
def test_wrong_country_prefix(vat_id: str, country: str, problem: str) -> None:
    assert vat_id_problem(vat_id, country) == problem


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [
        ("DE136695977", "DE"),  # last check digit off by one
        ("EL094259217", "GR"),
        ("NL004495446B01", "NL"),
        ("DE13669597", "DE"),  # a digit short
        ("NL", "NL"),
    ],
)
def test_bad_check_digits_or_format(vat_id: str, country: str) -> None:
    assert vat_id_problem(vat_id, country) == "Not a valid EU VAT id (format or check digits)."


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [("12-3456789", "US"), ("CHE-123.456.789 MWST", "CH"), ("GB980780684", "GB"), ("anything", "NO")],
)
def test_outside_the_eu_a_tax_id_is_free_text(vat_id: str, country: str) -> None:
    assert vat_id_problem(vat_id, country) is None
    assert normalize_vat_id(vat_id, country) == vat_id


@pytest.mark.parametrize("vat_id", ["X", "A" * 21])
def test_outside_the_eu_a_tax_id_has_2_to_20_characters(vat_id: str) -> None:
    assert vat_id_problem(vat_id, "US") == "Between 2 and 20 characters."
