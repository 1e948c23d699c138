"""Statements and the portfolio report as CSV: one row per device (or customer) and a total row, with the
same three-decimal figures as the JSON, so that a spreadsheet's sum of the rows equals the total row.
Text cells (customer names, serials, SKUs) are written so no spreadsheet runs them as formulas; figures
stay numbers, negative corrections included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from daas.core.csv_cells import write_csv
from daas.impact.statements import QUANTITIES

FIGURES = ("service_days", *QUANTITIES)
STATEMENT_COLUMNS = (
    "contract_id",
    "from",
    "to",
    "method",
    "row",
    "serial",
    "sku",
    "category",
    "life",
    "provisional",
    *FIGURES,
)
REPORT_COLUMNS = ("from", "to", "method", "row", "customer_id", "name", "contracts", "devices", *FIGURES)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:.3f}"
    return str(value)


# Columns of whole numbers and figures; every other column is text.
NUMERIC_COLUMNS = frozenset(
    (
        "contract_id",
        "customer_id",
        "contracts",
        "devices",
        "life",
        *FIGURES,
        "balance_co2e_kg",
        "balance_mass_kg",
        "parameter_set_version",
    )
)


def _write(columns: tuple[str, ...], rows: Iterable[Mapping[str, Any]]) -> str:
    cells = ({name: _text(row.get(name)) for name in columns} for row in rows)
    return write_csv(columns, cells, numeric=NUMERIC_COLUMNS & set(columns), lineterminator="\r\n")


def statement_csv(statement: Mapping[str, Any]) -> str:
    common = {name: statement[name] for name in ("contract_id", "from", "to", "method")}
    devices = [{**common, "row": "device", **device} for device in statement["by_device"]]
    total = {**common, "row": "total", "provisional": bool(statement["provisional_periods"])}
    return _write(STATEMENT_COLUMNS, [*devices, {**total, **{name: statement[name] for name in FIGURES}}])


def report_csv(report: Mapping[str, Any]) -> str:
    common = {name: report[name] for name in ("from", "to", "method")}
    customers = [{**common, "row": "customer", **customer} for customer in report["customers"]]
    total = {**common, "row": "total", **report["total"]}
    residual = {**common, "row": "provider_residual", **report["provider_residual"], "service_days": None}
    return _write(REPORT_COLUMNS, [*customers, total, residual])


LEDGER_COLUMNS = (
    "period",
    "provisional",
    "contract_id",
    "serial",
    "sku",
    "life",
    *FIGURES,
    "balance_co2e_kg",
    "balance_mass_kg",
    "parameter_set_version",
)


def ledger_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    return _write(LEDGER_COLUMNS, rows)
