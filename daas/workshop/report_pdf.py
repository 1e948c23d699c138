"""The yearly report as a PDF for the board, in the house style (daas.core.pdf, the impact statement's
styles and tables): the customer's choices, each section's table, and two charts drawn as vector graphics
(use-phase CO2e by country, devices that left by fate), with "page X of Y" under every page."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer

from daas.core.pdf import (
    FONT,
    GREY,
    HEADER_BG,
    RULE,
    SMALL,
    WIDTH,
    NumberedCanvas,
    draw_footer,
    facts_table,
    render_pages,
)
from daas.core.pdf import para as paragraph
from daas.impact.statement_pdf.style import CELL, CELL_RIGHT, HEAD, TITLE
from daas.impact.statement_pdf.tables import data_table
from daas.workshop.report_figures import FATES, SustainabilityReport
from daas.workshop.report_sections import FATE_LABELS, Cell, Section, sections

_BAR = colors.HexColor("#4A6FA5")
_NOTES = {
    "Use-phase electricity": "kWh = the model's yearly consumption × service days ÷ 365, per ledger row, by "
    "the country where the device served; CO2e = kWh × the location-based grid factor of that country, "
    "rounded half-up to the gram per country. A country without a factor has no CO2e and is flagged.",
    "Embodied emissions": "The daas-impact-1 allocation of the year's service days. What was left of a "
    "device the customer bought out is transferred on its own line: it is the customer's capital good.",
    "Avoided (not netted)": "Shown beside the inventory, never subtracted from it.",
    "Inflows (ESRS E5-4)": "Devices that started serving the customer in the year; second life: the device "
    "had served before (anyone).",
    "Outflows (ESRS E5-5)": "Devices that stopped serving the customer in the year, by what became of them. "
    "Reused: redeployed, refurbished, sold to the customer; recycled: parts harvested, certified recycling; "
    "neither: lost, not yet processed.",
    "Packaging": "Weighed packaging of the shipments delivered in the year.",
}


def _show(value: Cell) -> str:
    if value is None:
        return "-"
    return str(value)


def _table(section: Section) -> Flowable:
    columns = len(section.header)
    numeric = [
        all(row[i] is None or isinstance(row[i], int | Decimal) for row in section.rows)
        for i in range(columns)
    ]
    first_right = next((i for i, flag in enumerate(numeric) if flag and i > 0), columns)
    rows: list[list[object]] = [
        [paragraph(_show(cell), CELL_RIGHT if numeric[i] else CELL) for i, cell in enumerate(row)]
        for row in section.rows
    ]
    return data_table(list(section.header), rows, [WIDTH / columns] * columns, first_right)


def _bars(title: str, labels: list[str], values: list[Decimal], unit: str) -> Drawing:
    """A horizontal bar per label, drawn as vector shapes."""
    height = max(30 * mm, (len(labels) * 7 + 18) * mm / 1.6)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 8 * mm
    chart.width, chart.height = WIDTH - chart.x - 8 * mm, height - chart.y - 10 * mm
    chart.data = [[float(v) for v in values] or [0.0]]
    chart.categoryAxis.categoryNames = labels or ["-"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.forceZero = 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = HEADER_BG
    chart.bars[0].fillColor = _BAR
    chart.bars.strokeWidth = 0
    drawing.add(chart)
    drawing.add(String(0, height - 5 * mm, f"{title} ({unit})", fontName=FONT, fontSize=8, fillColor=GREY))
    return drawing


def _charts(report: SustainabilityReport) -> list[Flowable]:
    countries = [line for line in report.use_phase.countries if line.co2e_kg is not None]
    return [
        _bars(
            "Use-phase CO2e by country",
            [line.country for line in countries],
            [line.co2e_kg or Decimal(0) for line in countries],
            "kg CO2e",
        ),
        Spacer(1, 3 * mm),
        _bars(
            "Devices that left, by fate",
            [FATE_LABELS[fate] for fate in FATES],
            [report.outflows.by_fate[fate][1] for fate in FATES],
            "kg",
        ),
    ]


def _decorate(footer: str, canvas: Canvas, page: int, pages: int) -> None:
    draw_footer(canvas, footer, f"Page {page} of {pages}")


def render_report(report: SustainabilityReport) -> bytes:
    title = f"Sustainability report {report.year}"
    story: list[Flowable] = [
        paragraph(title, TITLE),
        paragraph(report.customer_name, HEAD),
        Spacer(1, 3 * mm),
        facts_table(
            [
                ("Customer", f"{report.customer_name} ({report.customer_country})"),
                ("Year", f"{report.first_day.isoformat()} – {report.last_day.isoformat()}"),
                ("Method", report.method),
                ("Parameter sets", ", ".join(map(str, report.parameter_set_versions)) or "-"),
                ("Use phase", report.use_phase.scope),
                ("Embodied", report.embodied.scope),
                ("Fiscal year from", f"month {report.fiscal_year_start_month}"),
                ("Consolidation", report.consolidation_approach.replace("_", " ")),
            ]
        ),
    ]
    if report.missing_months:
        story.append(
            paragraph("Months not closed yet (not included): " + ", ".join(report.missing_months), SMALL)
        )
    story.append(Spacer(1, 4 * mm))
    story += _charts(report)
    for section in sections(report)[1:]:
        story += [Spacer(1, 4 * mm), paragraph(section.name, HEAD), _table(section)]
        if section.name in _NOTES:
            story.append(paragraph(_NOTES[section.name], SMALL))
    footer = f"{report.customer_name} · sustainability report {report.year}"
    return _render(story, title, report.customer_name, footer)


def _render(story: list[Flowable], title: str, author: str, footer: str) -> bytes:
    return render_pages(
        story,
        title=title,
        author=author,
        subject="Yearly sustainability report",
        canvasmaker=partial(NumberedCanvas, decorate=partial(_decorate, footer)),
    )
