"""The months as bars: allocated and avoided CO2e side by side, provisional months lighter and marked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from daas.core.pdf import FONT, GREY, HEADER_BG, RULE, WIDTH
from daas.impact.statement_pdf.text import MARK

_ALLOCATED = colors.HexColor("#4A6FA5")
_ALLOCATED_PROVISIONAL = colors.HexColor("#B7C7DE")
_AVOIDED = colors.HexColor("#3C8D5A")
_AVOIDED_PROVISIONAL = colors.HexColor("#B5D8C0")
_CHART_LABELS = 20  # at most this many month labels under the chart


def months_chart(periods: tuple[Mapping[str, Any], ...]) -> Drawing:
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
        p["period"] + (MARK if p["provisional"] else "") if i % step == 0 else ""
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
        pairs.append((_ALLOCATED_PROVISIONAL, f"{MARK} provisional month (lighter bars)"))
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
