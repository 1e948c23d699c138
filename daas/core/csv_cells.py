"""CSV files the platform writes, safe to open in a spreadsheet. Pure: columns and rows in, text out.

A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula
(CSV injection: a customer named `=HYPERLINK("http://x")` would run in finance's spreadsheet). Every text
cell that starts so is written with a leading single quote, as OWASP recommends; the spreadsheet shows
the text and runs nothing. Cells of the columns a writer names as numeric are left alone when they hold a
plain number, so a credit note's `-12.00` stays a number that sums; anything else in them is text too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def text_cell(value: str) -> str:
    """A text cell no spreadsheet runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_cell(value: Any, numeric: bool = False) -> str:
    """The cell as written: None is empty; a plain number in a numeric column as it is; all else text."""
    if value is None:
        return ""
    cell = str(value)
    if numeric and _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return text_cell(cell)


def write_csv(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    numeric: Collection[str] = (),
    lineterminator: str = "\n",
) -> str:
    """A CSV file: a header row, then each row's cells in `columns` order (other keys are ignored), every
    cell made safe by `safe_cell`; the columns in `numeric` hold numbers."""
    unknown = set(numeric) - set(columns)
    if unknown:
        raise ValueError(f"numeric columns not among the columns: {sorted(unknown)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    # Python's writer quotes only the characters of its line terminator: with "\n" a cell holding "\r"
    # would go out bare and start a new row (one whose first cell nobody neutralised). Such rows are
    # written with every cell quoted.
    quoting_all = csv.writer(out, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for row in rows:
        cells = [safe_cell(row.get(name), name in numeric) for name in columns]
        breaks_lines = any("\r" in cell or "\n" in cell for cell in cells)
        (quoting_all if breaks_lines else writer).writerow(cells)
    return out.getvalue()
