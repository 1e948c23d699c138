"""Statements and the portfolio report as CSV: one row per device (or customer) and a total row, with the
same three-decimal figures as the JSON, so that a spreadsheet's sum of the rows equals the total row (a
statement's packaging is on its total row only: shipments are not per device).
Text cells (customer names, serials, SKUs) are written so no spreadsheet runs them as formulas; figures
stay numbers, negative corrections included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from daas.core.csv_cells import write_csv
from daas.impact.packaging import SHARE_PLACES
from daas.impact.statements import QUANTITIES
from daas.orders.lifecycle import PACKAGING_MATERIALS

FIGURES = ("service_days", *QUANTITIES)
# The packaging delivered, on the total row of a statement and on every customer row of the report: a
# column per material (kg), the total, the plastic share (four decimals) and the reusable boxes.
PACKAGING_COLUMNS = (
    *(f"packaging_{material}_kg" for material in PACKAGING_MATERIALS),
    "packaging_kg",
    "packaging_plastic_share",
    "reusable_boxes",
)
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
    *PACKAGING_COLUMNS,
)
REPORT_COLUMNS = (
    "from",
    "to",
    "method",
    "row",
    "customer_id",
    "name",
    "contracts",
    "devices",
    *FIGURES,
    *PACKAGING_COLUMNS,
)


def _text(value: object, places: int = 3) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:.{places}f}"
    return str(value)


def _places(column: str) -> int:
    return SHARE_PLACES if column == "packaging_plastic_share" else 3


# Columns of whole numbers and figures; every other column is text.
NUMERIC_COLUMNS = frozenset(
    (
        "contract_id",
        "customer_id",
        "contracts",
        "devices",
        "life",
        *FIGURES,
        *PACKAGING_COLUMNS,
        "balance_co2e_kg",
        "balance_mass_kg",
        "parameter_set_version",
    )
)


def _write(columns: tuple[str, ...], rows: Iterable[Mapping[str, Any]]) -> str:
    cells = ({name: _text(row.get(name), _places(name)) for name in columns} for row in rows)
    return write_csv(columns, cells, numeric=NUMERIC_COLUMNS & set(columns), lineterminator="\r\n")


def _packaging(figures: Mapping[str, Any]) -> dict[str, Any]:
    """A statement's (or a customer's) packaging figures as their columns."""
    return {
        **{f"packaging_{material}_kg": kg for material, kg in figures["packaging"].items()},
        **{name: figures[name] for name in ("packaging_kg", "packaging_plastic_share", "reusable_boxes")},
    }


def statement_csv(statement: Mapping[str, Any]) -> str:
    common = {name: statement[name] for name in ("contract_id", "from", "to", "method")}
    devices = [{**common, "row": "device", **device} for device in statement["by_device"]]
    total = {
        **common,
        "row": "total",
        "provisional": bool(statement["provisional_periods"]),
        **{name: statement[name] for name in FIGURES},
        **_packaging(statement),
    }
    return _write(STATEMENT_COLUMNS, [*devices, total])


def report_csv(report: Mapping[str, Any]) -> str:
    common = {name: report[name] for name in ("from", "to", "method")}
    customers = [
        {**common, "row": "customer", **customer, **_packaging(customer)} for customer in report["customers"]
    ]
    total = {**common, "row": "total", **report["total"], **_packaging(report["total"])}
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
