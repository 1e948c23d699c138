"""The yearly report as files: CSV (every section one after the other, each with its header and a first
column naming it), an XLSX workbook with one sheet per section (numbers as numbers), and the PDF for the
board (daas.workshop.report_pdf). The report comes in, bytes go out."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from daas.core.csv_cells import safe_cell, write_csv
from daas.workshop.portfolio import PORTFOLIO_COLUMNS, PORTFOLIO_NUMBERS
from daas.workshop.report_figures import SustainabilityReport
from daas.workshop.report_pdf import render_report
from daas.workshop.report_sections import Cell, sections


def report_csv(report: SustainabilityReport) -> bytes:
    """Rows of (section, then the section's columns); a header row opens each section."""
    out = io.StringIO()
    writer = csv.writer(out)
    for section in sections(report):
        writer.writerow(["Section", *section.header])
        for row in section.rows:
            # Numbers stay numbers; text that a spreadsheet would run as a formula is neutralised.
            writer.writerow(
                [section.name, *(safe_cell(cell, isinstance(cell, int | Decimal)) for cell in row)]
            )
    return out.getvalue().encode("utf-8")


def _cell(value: Cell) -> object:
    # Decimals go in as numbers (Excel has no decimal type; a report's kg have three places).
    return float(value) if isinstance(value, Decimal) else value


def report_xlsx(report: SustainabilityReport) -> bytes:
    """One sheet per section, named after it, with its header row first."""
    book = Workbook()
    book.remove(book.active)
    for section in sections(report):
        sheet = book.create_sheet(section.name[:31])
        sheet.append(list(section.header))
        for line, row in enumerate(section.rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(line, column, _cell(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # text, never a formula (a customer named "=HYPERLINK(...)")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: SustainabilityReport) -> bytes:
    return render_report(report)


def portfolio_csv(rows: list[dict[str, Any]]) -> bytes:
    """The portfolio: a header, then a row per customer (missing months joined by spaces)."""
    cells = [{**row, "missing_months": " ".join(row["missing_months"])} for row in rows]
    return write_csv(PORTFOLIO_COLUMNS, cells, numeric=PORTFOLIO_NUMBERS).encode("utf-8")
