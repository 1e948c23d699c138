"""CSV cells a spreadsheet cannot run (OWASP CSV injection): text that starts like a formula gets a
leading quote; numbers in numeric columns, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.core.csv_cells import FORMULA_STARTS, safe_cell, text_cell, write_csv

ATTACKS = ['=HYPERLINK("http://x")', "+cmd", "@SUM(1)", "-2+3", "\tTAB", "\rCR", "=1+2"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_text_that_starts_like_a_formula_is_quoted(attack: str) -> None:
    assert text_cell(attack) == "'" + attack
    assert safe_cell(attack) == "'" + attack
    assert safe_cell(attack, numeric=True) == "'" + attack  # not a plain number: text even there


@pytest.mark.parametrize("text", ["Acme B.V.", "SN-0001", "2026-11-15", "NL004495445B01", "", "a=b", "x-1"])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert text_cell(text) == text


@pytest.mark.parametrize("number", ["-12.00", "-1.283871", "0", "4200", "-3", "252.840"])
def test_numbers_in_numeric_columns_stay_numbers(number: str) -> None:
    assert safe_cell(number, numeric=True) == number


def test_a_negative_number_in_a_text_column_is_text() -> None:
    assert safe_cell("-12.00") == "'-12.00"


def test_none_is_an_empty_cell() -> None:
    assert safe_cell(None) == "" and safe_cell(None, numeric=True) == ""


def test_a_file_keeps_its_columns_and_quotes_only_what_a_spreadsheet_would_run() -> None:
    body = write_csv(
        ("customer_name", "amount", "note"),
        [
            {"customer_name": '=HYPERLINK("http://x")', "amount": "-12.00", "note": None, "ignored": "="},
            {"customer_name": "Acme, Inc.", "amount": "39.00", "note": "@SUM(1)"},
        ],
        numeric=("amount",),
    )
    assert list(csv.reader(io.StringIO(body))) == [
        ["customer_name", "amount", "note"],
        ['\'=HYPERLINK("http://x")', "-12.00", ""],
        ["Acme, Inc.", "39.00", "'@SUM(1)"],
    ]


def test_a_numeric_column_must_be_a_column() -> None:
    with pytest.raises(ValueError, match="amount"):
        write_csv(("name",), [], numeric=("amount",))


@given(st.text())
def test_no_written_cell_starts_like_a_formula(text: str) -> None:
    body = write_csv(("name",), [{"name": text}])
    [_, [cell]] = list(csv.reader(io.StringIO(body, newline="")))
    assert not cell.startswith(FORMULA_STARTS)
    assert cell.removeprefix("'") == text or cell == text


def test_a_line_break_inside_a_cell_cannot_start_a_row() -> None:
    body = write_csv(
        ("name", "amount"), [{"name": "Acme\r=HYPERLINK(1)", "amount": "1.00"}], numeric=("amount",)
    )
    assert list(csv.reader(io.StringIO(body, newline=""))) == [
        ["name", "amount"],
        ["Acme\r=HYPERLINK(1)", "1.00"],
    ]
