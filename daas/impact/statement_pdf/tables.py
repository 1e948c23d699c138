"""The statement's tables of figures: by month, by device and the packaging delivered, with a header that
repeats on every page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from daas.core.pdf import BOLD, FONT, HEADER_BG, RULE, WIDTH, para
from daas.impact.packaging import material_label, share_percent
from daas.impact.statement_pdf.style import CELL, CELL_BOLD, CELL_BOLD_RIGHT
from daas.impact.statement_pdf.text import MARK, count, three

_FIGURES = ("allocated_co2e_kg", "avoided_co2e_kg", "avoided_ewaste_kg", "certified_recycled_kg")
_FIGURE_HEADERS = [
    "Allocated CO2e (kg)",
    "Avoided CO2e (kg)",
    "Avoided e-waste (kg)",
    "Certified recycled (kg)",
]
# A statement with a device bought out shows its transfer beside the allocation, in a column of its own.
_TRANSFERRED = "transferred_co2e_kg"
_TRANSFERRED_HEADER = "Transferred CO2e (kg)"


def _figures(totals: Mapping[str, Any]) -> tuple[tuple[str, ...], list[str]]:
    """The figure columns and their headers: with the transferred CO2e after the allocated when the
    statement has any (and so any of its months or devices)."""
    if not totals[_TRANSFERRED]:
        return _FIGURES, _FIGURE_HEADERS
    return (_FIGURES[0], _TRANSFERRED, *_FIGURES[1:]), [
        _FIGURE_HEADERS[0],
        _TRANSFERRED_HEADER,
        *_FIGURE_HEADERS[1:],
    ]


def data_table(header: list[str], rows: list[list[object]], widths: list[float], first_right: int) -> Table:
    """A table whose header repeats on every page it runs over; columns from `first_right` on are figures."""
    head = [para(text, CELL_BOLD_RIGHT if i >= first_right else CELL_BOLD) for i, text in enumerate(header)]
    data: list[list[object]] = [head, *rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ALIGN", (first_right, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, HEADER_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _days(row: Mapping[str, Any]) -> str:
    return count(row["service_days"]) + (f" {MARK}" if row.get("provisional") else "")


def periods_table(periods: tuple[Mapping[str, Any], ...], totals: Mapping[str, Any]) -> Table:
    names, headers = _figures(totals)
    rows: list[list[object]] = [
        [p["period"] + (f" {MARK}" if p["provisional"] else ""), count(p["service_days"])]
        + [three(p[name]) for name in names]
        for p in periods
    ]
    header = ["Month", "Service days", *headers]
    figure = (WIDTH - 24 * mm - 22 * mm) / len(names)
    return data_table(header, rows, [24 * mm, 22 * mm] + [figure] * len(names), first_right=1)


def devices_table(devices: tuple[Mapping[str, Any], ...], totals: Mapping[str, Any]) -> Table:
    names, headers = _figures(totals)
    rows: list[list[object]] = [
        [
            para(str(d["serial"]), CELL),
            para(str(d["sku"]), CELL),
            str(d["life"]),
            _days(d),
            *(three(d[name]) for name in names),
        ]
        for d in devices
    ]
    rows.append(["Total", "", "", count(totals["service_days"]), *(three(totals[n]) for n in names)])
    header = ["Serial", "Model (SKU)", "Life", "Service days", *headers]
    fixed = [31 * mm, 30 * mm, 10 * mm, 17 * mm]
    figure = (WIDTH - sum(fixed)) / len(names)
    table = data_table(header, rows, [*fixed, *[figure] * len(names)], first_right=2)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, -1), (-1, -1), BOLD, 8),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, RULE),
            ]
        )
    )
    return table


def packaging_table(packaging: Mapping[str, Any]) -> Table:
    """The packaging delivered in the period: a row per material used, the total with its plastic share,
    and the shipments that came in a reusable box."""
    rows: list[list[object]] = [
        [material_label(material), three(kg)] for material, kg in packaging["packaging"].items() if kg > 0
    ]
    rows.append(["Total", three(packaging["packaging_kg"])])
    rows.append(["Of it plastic (recycled and virgin)", share_percent(packaging["packaging_plastic_share"])])
    rows.append(["Shipments in a reusable box (0 kg)", count(packaging["reusable_boxes"])])
    return data_table(["Material", "Packaging (kg)"], rows, [70 * mm, 30 * mm], first_right=1)
