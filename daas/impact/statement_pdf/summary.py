"""The top of the statement: the note on provisional months, and the two books side by side with the
activity counts under them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from daas.core.pdf import HEADER_BG, LABEL, RULE, SMALL, WIDTH, para
from daas.impact.statement_pdf.style import BOOK, CELL, CELL_RIGHT, WARN, WARN_BG, WARNING
from daas.impact.statement_pdf.text import count, kg, month_runs, three


def provisional_note(periods: tuple[str, ...]) -> Table:
    months = month_runs(periods)
    text = (
        f"Provisional: {months}. "
        f"{'This month is' if len(periods) == 1 else 'These months are'} computed from the current records "
        "and not yet closed in the ledger. Closing does not change the totals, but late corrections may be "
        "carried into the next open month. Figures marked * include provisional months."
    )
    box = Table([[para(text, WARNING)]], colWidths=[WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, WARN),
                ("BACKGROUND", (0, 0), (-1, -1), WARN_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return box


def _book(heading: str, subtitle: str, rows: list[tuple[str, str]], width: float) -> Table:
    """One book: a heading and label/value rows, values right-aligned."""
    data: list[list[object]] = [[para(heading, BOOK), ""], [para(subtitle, SMALL), ""]]
    data += [[para(label, CELL), para(value, CELL_RIGHT)] for label, value in rows]
    table = Table(data, colWidths=[width - 30 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (0, 1), (-1, 1)),
                ("BACKGROUND", (0, 0), (-1, 1), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (-1, 1), 0.75, RULE),
                ("LINEBELOW", (0, 2), (-1, -1), 0.25, HEADER_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def books(totals: Mapping[str, Any]) -> list[Flowable]:
    use_co2e = totals.get("use_phase_co2e_kg")
    inventory = [
        (
            "Embodied CO2e allocated (GHG Protocol Scope 3, category 8: upstream leased assets)",
            kg(totals["allocated_co2e_kg"]),
        ),
        ("Allocated mass", kg(totals["allocated_mass_kg"])),
        (
            "Embodied CO2e transferred with devices bought out (the customer's own assets since)",
            kg(totals["transferred_co2e_kg"]),
        ),
        ("Mass transferred with devices bought out", kg(totals["transferred_mass_kg"])),
        ("Use-phase electricity (the customer's Scope 2)", f"{three(totals['use_phase_kwh'])} kWh"),
        ("Use-phase CO2e", kg(use_co2e))
        if use_co2e is not None
        else ("Use-phase CO2e (no grid factor set)", "not reported"),
    ]
    avoided = [
        ("Avoided CO2e", kg(totals["avoided_co2e_kg"])),
        ("Avoided e-waste", kg(totals["avoided_ewaste_kg"])),
        ("Certified recycled", kg(totals["certified_recycled_kg"])),
        ("Unmanaged e-waste avoided", kg(totals["unmanaged_ewaste_avoided_kg"])),
    ]
    gap = 6 * mm
    half = (WIDTH - gap) / 2
    side_by_side = Table(
        [
            [
                _book("Inventory", "What the customer reports.", inventory, half),
                "",
                _book("Avoided", "Against buying new; reported beside the inventory.", avoided, half),
            ]
        ],
        colWidths=[half, gap, half],
    )
    side_by_side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )

    activity = [
        ("Service days", count(totals["service_days"])),
        ("Devices", count(totals["devices"])),
        ("Second-life devices", count(totals["second_life_devices"])),
        ("Upgrades instead of replacements", count(totals["upgrades"])),
    ]
    counts = Table(
        [
            [para(label, LABEL) for label, _ in activity],
            [para(value, BOOK) for _, value in activity],
        ],
        colWidths=[32 * mm, 32 * mm, 40 * mm, WIDTH - 104 * mm],
    )
    counts.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    never_netted = (
        "Two books, never netted: the inventory is what the customer reports; the avoided figures are what "
        "circular use saved against buying new, reported beside the inventory and never subtracted from it "
        "(WBCSD avoided-emissions guidance)."
    )
    return [para(never_netted), Spacer(1, 3 * mm), side_by_side, Spacer(1, 4 * mm), counts]
