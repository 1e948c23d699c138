"""The pure input rules: text a database can store, and the serial rule (addressable in a URL path)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.core.identifiers import SERIAL_MAX_LENGTH, serial_problem
from daas.core.text import NUL_MESSAGE, SURROGATE_MESSAGE, text_problem


@pytest.mark.parametrize(
    "text",
    ["", "Acme B.V.", "Zürich", "\u200fשלום\u200e", "😀🇳🇱", "e\u0301", "x" * 100_000, "\ufeff", "\U0010ffff"],
)
def test_any_unicode_can_be_stored(text: str) -> None:
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x00b", NUL_MESSAGE),
        ("\ud800", SURROGATE_MESSAGE),
        ("ok \udfff", SURROGATE_MESSAGE),
        ("\udc80abc", SURROGATE_MESSAGE),
    ],
)
def test_nul_and_lone_surrogates_cannot(text: str, message: str) -> None:
    assert text_problem(text) == message


@given(st.text(st.characters(exclude_categories=())))
def test_exactly_what_utf8_cannot_encode_or_holds_nul_is_refused(text: str) -> None:
    try:
        text.encode("utf-8")
        encodable = True
    except UnicodeEncodeError:
        encodable = False
    assert (text_problem(text) is None) == (encodable and "\x00" not in text)


@pytest.mark.parametrize(
    "serial",
    [
        "SN-0001",
        "S4EWNX0R123456",
        "DEMO-DELL-LAT-5430-001",
        "NL:AMS:0042",
        "5CD1234XYZ",
        "a.b_c",
        "x" * SERIAL_MAX_LENGTH,
        "0",
    ],
)
def test_serials_as_manufacturers_and_asset_tags_write_them(serial: str) -> None:
    assert serial_problem(serial) is None


@pytest.mark.parametrize(
    "serial",
    [
        "",
        "A/B",
        "a?b",
        "a#b",
        "a%2Fb",
        "a b",
        " SN-1",
        "SN-1\n",
        "SN\t1",
        ".",
        "..",
        "-SN",
        "_x",
        "x" * 65,
        "Zé",
    ],
)
def test_what_a_url_path_cannot_address_is_not_a_serial(serial: str) -> None:
    assert serial_problem(serial) is not None


def test_only_a_string_is_a_serial() -> None:
    assert serial_problem(42) is not None and serial_problem(None) is not None


@given(st.text(max_size=80))
def test_every_serial_is_one_path_segment_that_needs_no_escaping(serial: str) -> None:
    if serial_problem(serial) is None:
        assert quote(serial, safe="") == serial.replace(":", "%3A")
        assert serial not in (".", "..") and "/" not in serial


@pytest.mark.parametrize("column", ["manufacturer", "name", "sku", "sources"])
def test_a_footprint_row_with_text_no_database_stores_is_skipped_not_imported(column: str) -> None:
    """The catalog import (admin page, CLI) takes a file, not a form: its rows keep to the same rule."""
    from daas.catalog.footprints import ModelFigures, Skipped, read_row
    from tests.unit.test_footprints import good_row

    assert isinstance(read_row(2, good_row(sku="LAT-1", sources="https://example.com/a.pdf")), ModelFigures)
    result = read_row(
        2, good_row(**{"sku": "LAT-1", "sources": "https://example.com/a.pdf", column: "L\x00T"})
    )
    assert isinstance(result, Skipped)
    assert (result.kind, "\x00" in result.label) == ("text cannot be stored", False)
