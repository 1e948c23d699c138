"""A customer's avoided IT waste statement (impact.md) as an A4 PDF (reportlab platypus), for an auditor.

Pure: no Flask, no SQLAlchemy; documents.py gathers the plain values. The two books of impact.md, the
inventory and the avoided figures, are printed beside each other and never netted. Quantities are Decimals
printed with three decimals and their sign ("1,234.567 kg", "-3.120 kg"); nothing printed goes through a
float (only the chart's bar heights do). Output is deterministic (reportlab's invariant mode): the same
document renders to the same bytes.

Fonts are the built-in Helvetica family (Windows-1252), as in daas.billing.pdf: letters outside it are
transliterated to their base letter ("Łódź" → "Lódz"), anything else becomes "?". The PDF metadata keeps
the original text.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from daas.core.countries import country_name
from daas.core.pdf import (
    BODY,
    BOLD,
    FONT,
    GREY,
    HEADER_BG,
    LABEL,
    MARGIN,
    RULE,
    SMALL,
    WIDTH,
    facts_table,
    para,
    printable,
)

__all__ = ["StatementDocument", "render_statement"]


@dataclass(frozen=True)
class StatementDocument:
    issuer: str  # the provider's name
    customer_name: str
    customer_country: str  # ISO 3166-1 alpha-2
    contract_id: int
    plan_name: str
    period_from: date  # first day covered
    period_to: date  # last day covered
    as_of: date  # the day the statement was computed
    method: str
    parameter_set_versions: tuple[int, ...]
    provisional_periods: tuple[str, ...]  # "YYYY-MM", computed but not yet closed in the ledger
    totals: Mapping[str, Any]
    by_device: tuple[Mapping[str, Any], ...]
    by_period: tuple[Mapping[str, Any], ...]
    parameters: Mapping[str, Any]  # the values of the latest parameter-set version used
    sources: Mapping[str, str]  # parameter name -> where its value comes from


_TITLE_TEXT = "Avoided IT waste statement"
_WARN = colors.HexColor("#B45309")
_WARN_BG = colors.HexColor("#FEF3C7")
_ALLOCATED = colors.HexColor("#4A6FA5")
_ALLOCATED_PROVISIONAL = colors.HexColor("#B7C7DE")
_AVOIDED = colors.HexColor("#3C8D5A")
_AVOIDED_PROVISIONAL = colors.HexColor("#B5D8C0")
_GRAM = Decimal("0.001")
_MARK = "*"  # after a month or a device figure that includes provisional months
_CHART_LABELS = 20  # at most this many month labels under the chart

_TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=18, leading=22, spaceAfter=2)
_HEAD = ParagraphStyle(
    "head", parent=BODY, fontName=BOLD, fontSize=11, leading=14, spaceAfter=3, keepWithNext=1
)
_BOOK = ParagraphStyle("book", parent=BODY, fontName=BOLD, fontSize=10, leading=13)
_WARNING = ParagraphStyle("warning", parent=BODY, textColor=_WARN)
_CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
_CELL_BOLD = ParagraphStyle("cell_bold", parent=_CELL, fontName=BOLD)
_CELL_RIGHT = ParagraphStyle("cell_right", parent=_CELL, alignment=TA_RIGHT)
_CELL_BOLD_RIGHT = ParagraphStyle("cell_bold_right", parent=_CELL_BOLD, alignment=TA_RIGHT)


# --- text ---------------------------------------------------------------------------------------------


def _three(value: Decimal | int | str) -> str:
    """A quantity with three decimals, thousands separators and its sign: "1,234.567", "-3.120"."""
    amount = Decimal(value).quantize(_GRAM)
    if amount.is_zero():
        amount = abs(amount)  # no "-0.000"
    return f"{amount:,.3f}"


def _kg(value: Decimal | int | str) -> str:
    return f"{_three(value)} kg"


def _count(value: int) -> str:
    return f"{int(value):,}"


def _versions(versions: tuple[int, ...]) -> str:
    if not versions:
        return "-"
    label = "version" if len(versions) == 1 else "versions"
    return f"{label} {', '.join(str(v) for v in sorted(versions))}"


def _months(periods: tuple[str, ...]) -> str:
    """Months as a list, runs of three or more as a range: "2026-01 to 2026-04, 2026-07"."""

    def index(period: str) -> int:
        year, month = period.split("-")
        return int(year) * 12 + int(month)

    runs: list[list[str]] = []
    for period in sorted(periods):
        if runs and index(period) == index(runs[-1][-1]) + 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    parts: list[str] = []
    for run in runs:
        parts += [f"{run[0]} to {run[-1]}"] if len(run) >= 3 else run
    return ", ".join(parts)


# --- blocks -------------------------------------------------------------------------------------------


def _provisional_note(periods: tuple[str, ...]) -> Table:
    months = _months(periods)
    text = (
        f"Provisional: {months}. "
        f"{'This month is' if len(periods) == 1 else 'These months are'} computed from the current records "
        "and not yet closed in the ledger. Closing does not change the totals, but late corrections may be "
        "carried into the next open month. Figures marked * include provisional months."
    )
    box = Table([[Paragraph(escape(printable(text)), _WARNING)]], colWidths=[WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, _WARN),
                ("BACKGROUND", (0, 0), (-1, -1), _WARN_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return box


def _book(heading: str, subtitle: str, rows: list[tuple[str, str]], width: float) -> Table:
    """One book: a heading and label/value rows, values right-aligned."""
    data: list[list[object]] = [[Paragraph(escape(heading), _BOOK), ""], [para(subtitle, SMALL), ""]]
    data += [[para(label, _CELL), para(value, _CELL_RIGHT)] for label, value in rows]
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


def _books(totals: Mapping[str, Any]) -> list[Flowable]:
    use_co2e = totals.get("use_phase_co2e_kg")
    inventory = [
        (
            "Embodied CO2e allocated (GHG Protocol Scope 3, category 8: upstream leased assets)",
            _kg(totals["allocated_co2e_kg"]),
        ),
        ("Allocated mass", _kg(totals["allocated_mass_kg"])),
        ("Use-phase electricity (the customer's Scope 2)", f"{_three(totals['use_phase_kwh'])} kWh"),
        ("Use-phase CO2e", _kg(use_co2e))
        if use_co2e is not None
        else ("Use-phase CO2e (no grid factor set)", "not reported"),
    ]
    avoided = [
        ("Avoided CO2e", _kg(totals["avoided_co2e_kg"])),
        ("Avoided e-waste", _kg(totals["avoided_ewaste_kg"])),
        ("Certified recycled", _kg(totals["certified_recycled_kg"])),
        ("Unmanaged e-waste avoided", _kg(totals["unmanaged_ewaste_avoided_kg"])),
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
        ("Service days", _count(totals["service_days"])),
        ("Devices", _count(totals["devices"])),
        ("Second-life devices", _count(totals["second_life_devices"])),
        ("Upgrades instead of replacements", _count(totals["upgrades"])),
    ]
    counts = Table(
        [
            [para(label, LABEL) for label, _ in activity],
            [para(value, _BOOK) for _, value in activity],
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


def _chart(periods: tuple[Mapping[str, Any], ...]) -> Drawing:
    """Allocated and avoided CO2e per month; provisional months have lighter bars and a "*" label."""
    height = 72 * mm
    drawing = Drawing(WIDTH, height)
    chart = VerticalBarChart()
    chart.x = 16 * mm
    chart.y = 14 * mm
    chart.width = WIDTH - chart.x - 2 * mm
    chart.height = height - chart.y - 12 * mm
    chart.data = [
        [float(p["allocated_co2e_kg"]) for p in periods],
        [float(p["avoided_co2e_kg"]) for p in periods],
    ]
    step = _label_step(len(periods))
    chart.categoryAxis.categoryNames = [
        p["period"] + (_MARK if p["provisional"] else "") if i % step == 0 else ""
        for i, p in enumerate(periods)
    ]
    chart.categoryAxis.labelAxisMode = "low"  # under the chart, not on the zero line among negative bars
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dx = 2
    chart.categoryAxis.labels.dy = -2
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.forceZero = 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = HEADER_BG
    chart.barSpacing = 0.5
    chart.groupSpacing = 2 if len(periods) > 24 else 4
    chart.bars.strokeWidth = 0
    chart.bars[0].fillColor = _ALLOCATED
    chart.bars[1].fillColor = _AVOIDED
    for i, p in enumerate(periods):
        if p["provisional"]:
            chart.bars[(0, i)].fillColor = _ALLOCATED_PROVISIONAL
            chart.bars[(1, i)].fillColor = _AVOIDED_PROVISIONAL
    drawing.add(chart)
    drawing.add(_legend(chart.x, height - 3 * mm, provisional=any(p["provisional"] for p in periods)))
    drawing.add(String(0, chart.y + chart.height + 2, "kg CO2e", fontName=FONT, fontSize=7, fillColor=GREY))
    return drawing


def _legend(x: float, y: float, *, provisional: bool) -> Legend:
    legend = Legend()
    legend.x = x
    legend.y = y
    legend.boxAnchor = "nw"
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 0
    legend.variColumn = 1
    legend.autoXPadding = 6 * mm
    legend.dx = legend.dy = 7
    legend.fontName = FONT
    legend.fontSize = 8
    pairs = [(_ALLOCATED, "Allocated CO2e (inventory)"), (_AVOIDED, "Avoided CO2e")]
    if provisional:
        pairs.append((_ALLOCATED_PROVISIONAL, f"{_MARK} provisional month (lighter bars)"))
    legend.colorNamePairs = pairs
    return legend


def _label_step(months: int) -> int:
    """Label every n-th month, n a divisor or multiple of twelve, so that labels keep their calendar month."""
    for step in (1, 2, 3, 4, 6):
        if step * _CHART_LABELS >= months:
            return step
    return 12 * math.ceil(months / (12 * _CHART_LABELS))


def _axis_label(value: float) -> str:
    """An axis tick ("1,500", "0.25"): a scale, not a figure of the statement."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_FIGURES = ("allocated_co2e_kg", "avoided_co2e_kg", "avoided_ewaste_kg", "certified_recycled_kg")
_FIGURE_HEADERS = [
    "Allocated CO2e (kg)",
    "Avoided CO2e (kg)",
    "Avoided e-waste (kg)",
    "Certified recycled (kg)",
]


def _table(header: list[str], rows: list[list[object]], widths: list[float], first_right: int) -> Table:
    """A table whose header repeats on every page it runs over; columns from `first_right` on are figures."""
    head = [para(text, _CELL_BOLD_RIGHT if i >= first_right else _CELL_BOLD) for i, text in enumerate(header)]
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
    return _count(row["service_days"]) + (f" {_MARK}" if row.get("provisional") else "")


def _periods_table(periods: tuple[Mapping[str, Any], ...]) -> Table:
    rows: list[list[object]] = [
        [p["period"] + (f" {_MARK}" if p["provisional"] else ""), _count(p["service_days"])]
        + [_three(p[name]) for name in _FIGURES]
        for p in periods
    ]
    header = ["Month", "Service days", *_FIGURE_HEADERS]
    figure = (WIDTH - 24 * mm - 22 * mm) / 4
    return _table(header, rows, [24 * mm, 22 * mm] + [figure] * 4, first_right=1)


def _devices_table(devices: tuple[Mapping[str, Any], ...], totals: Mapping[str, Any]) -> Table:
    rows: list[list[object]] = [
        [
            para(str(d["serial"]), _CELL),
            para(str(d["sku"]), _CELL),
            str(d["life"]),
            _days(d),
            *(_three(d[name]) for name in _FIGURES),
        ]
        for d in devices
    ]
    rows.append(["Total", "", "", _count(totals["service_days"]), *(_three(totals[n]) for n in _FIGURES)])
    header = ["Serial", "Model (SKU)", "Life", "Service days", *_FIGURE_HEADERS]
    fixed = [31 * mm, 30 * mm, 10 * mm, 17 * mm]
    figure = (WIDTH - sum(fixed)) / 4
    table = _table(header, rows, [*fixed, *[figure] * 4], first_right=2)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, -1), (-1, -1), BOLD, 8),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, RULE),
            ]
        )
    )
    return table


# --- method -------------------------------------------------------------------------------------------

_PARAMETER_LABELS = {
    "reference_service_days": "Reference life L_ref",
    "refurbishment_kg": "Refurbishment footprint R, per category",
    "upgrade_kit_kg": "Upgrade-kit footprint R, per kit",
    "grade_extension_days": "Expected days after refurbishment, by grade",
    "upgrade_extension_days": "Expected days after an upgrade",
    "formal_collection_rate": "Formal collection rate p_base",
    "grid_kg_per_kwh": "Grid factor, per country",
}


def _parameter_value(name: str, value: Any) -> str:
    """A parameter as a reader would write it: "1,460 days", "laptop 15.0 kg, desktop 15.5 kg"."""
    if isinstance(value, Mapping):
        if not value:
            return "none set"
        unit = {"refurbishment_kg": " kg", "upgrade_kit_kg": " kg", "grid_kg_per_kwh": " kg/kWh"}.get(
            name, ""
        )
        text = ", ".join(f"{key} {item}{unit}" for key, item in value.items())
        return f"{text} days" if name == "grade_extension_days" else text
    if name.endswith("_days"):
        return f"{_count(value)} days"
    return str(value)


def _method(doc: StatementDocument) -> list[Flowable]:
    p = doc.parameters

    def value(name: str) -> str:
        return _parameter_value(name, p[name]) if name in p else "-"

    paragraphs = [
        "Each device keeps two balances: its embodied CO2e (E0: manufacturing, transport and end of life, no "
        "use phase), raised by the footprint R of the refurbishment or upgrade kit at each refurbishment or "
        f"upgrade (refurbishment: {value('refurbishment_kg')}; upgrade kits: {value('upgrade_kit_kg')}), "
        "and its mass (m). Each balance is spent at a daily rate = balance left ÷ expected service days "
        f"left. Expected days start at the reference life L_ref ({value('reference_service_days')}) and are "
        f"re-estimated at each refurbishment, by grade ({value('grade_extension_days')}), or upgrade "
        f"({value('upgrade_extension_days')}). Each service day charges its subscription one day at that "
        "rate, never more than is left; days past the expectation charge nothing; when the device is "
        "recycled, harvested or lost, what is left goes to the provider's own account. So allocated to "
        "subscriptions + provider residual = E0 + the sum of R for CO2e, and = m for mass, to the gram.",
        "Avoided CO2e = service days × E0 ÷ L_ref - allocated CO2e: what buying new would have cost for "
        "those days, minus what this subscription is charged. Avoided e-waste is the same with mass: "
        "service days × m ÷ L_ref - allocated mass. A first life of exactly L_ref days avoids nothing: that "
        "is what buying new does. Second and third lives, upgrades instead of replacements and certified "
        "recycling earn credit. An avoided figure is negative where a device costs more per day than a new "
        "one would (a refurbished device with a short expected life).",
        "Certified recycled: the mass of devices recycled through a certified channel, shared by service "
        "days among the subscriptions each device served. Unmanaged e-waste avoided = certified recycled × "
        f"(1 - formal collection rate p_base, {value('formal_collection_rate')}).",
        "Use-phase electricity = service days × the model's yearly energy consumption ÷ 365; its CO2e is "
        f"reported only where a grid factor is set for the country (grid factors: "
        f"{value('grid_kg_per_kwh')}).",
        "Rounding is to grams per ledger row, with the balances kept exactly. Months close in order into an "
        "append-only ledger: one row per subscription, device and month, naming the parameter-set version "
        "it used; a correction is a new row. Every figure of this statement can be recomputed from the "
        "ledger rows and the parameter set they name.",
    ]
    story: list[Flowable] = [para(f"How these figures are computed ({doc.method})", _HEAD)]
    for text in paragraphs:
        story += [para(text), Spacer(1, 2 * mm)]

    names = [name for name in _PARAMETER_LABELS if name in p]
    names += sorted(name for name in p if name not in _PARAMETER_LABELS)
    rows: list[list[object]] = [
        [
            para(_PARAMETER_LABELS.get(name, name), _CELL),
            para(_parameter_value(name, p[name]), _CELL),
            para(doc.sources.get(name, "-"), _CELL),
        ]
        for name in names
    ]
    table = _table(["Parameter", "Value", "Source"], rows, [42 * mm, 44 * mm, WIDTH - 86 * mm], first_right=3)
    versions = _versions(doc.parameter_set_versions)
    story += [
        Spacer(1, 1 * mm),
        para(f"Parameter set ({versions}; the values of the latest version used)", LABEL),
        table,
    ]
    return story


# --- pages --------------------------------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Holds the pages back until the last one, so that every footer can say "page X of Y"."""

    def __init__(self, *args: Any, footer: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab names it)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor(GREY)
            self.drawString(MARGIN, 10 * mm, self._footer)
            self.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()
            super().showPage()
        super().save()


def render_statement(doc: StatementDocument) -> bytes:
    """The statement as a PDF: summary, the two books, months, devices, and how the figures are computed."""
    window = f"{doc.period_from.isoformat()} – {doc.period_to.isoformat()}"
    story: list[Flowable] = [
        para(_TITLE_TEXT, _TITLE),
        para(f"Issued by {doc.issuer}", SMALL),
        Spacer(1, 4 * mm),
        facts_table(
            [
                ("Customer", f"{doc.customer_name} ({country_name(doc.customer_country)})"),
                ("Contract", f"{doc.contract_id}, plan {doc.plan_name}"),
                ("Period", window),
                ("As of", doc.as_of.isoformat()),
                ("Method", doc.method),
                ("Parameter set", _versions(doc.parameter_set_versions)),
            ]
        ),
        Spacer(1, 4 * mm),
    ]
    if doc.provisional_periods:
        story += [_provisional_note(doc.provisional_periods), Spacer(1, 4 * mm)]
    story += [*_books(doc.totals), Spacer(1, 6 * mm)]

    if doc.by_period:
        months: list[Flowable] = [para("By month", _HEAD)]
        if len(doc.by_period) >= 2:
            months += [_chart(doc.by_period), Spacer(1, 2 * mm)]
        story += [KeepTogether(months), _periods_table(doc.by_period), Spacer(1, 6 * mm)]

    story += [para("By device", _HEAD)]
    if doc.by_device:
        story += [_devices_table(doc.by_device, doc.totals)]
    else:
        story += [para("No device served this subscription in the period.")]
    story += [Spacer(1, 6 * mm), *_method(doc)]

    footer = printable(
        f"{_TITLE_TEXT} | {doc.customer_name} | contract {doc.contract_id} | {window} | method {doc.method}"
    )
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_TITLE_TEXT,
        author=doc.issuer,
        subject=f"{_TITLE_TEXT} for {doc.customer_name}, contract {doc.contract_id}, {window}",
        creator="daas",
        invariant=1,
    )
    template.build(story, canvasmaker=partial(_NumberedCanvas, footer=footer))
    return buffer.getvalue()
