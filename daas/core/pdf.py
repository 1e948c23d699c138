"""The house style of daas documents (invoices, credit notes, impact statements): A4 with 18 mm margins,
the built-in Helvetica fonts, the base paragraph styles, text that those fonts can print, the block of
label/value facts under a title, and the pages with their footer line.

Helvetica covers Windows-1252 only. Letters outside it (Polish "Ł", Czech "ř", ...) would print as black
boxes, so they are transliterated to their base letter ("Łódź" → "Lódz") and anything else becomes "?".
Documents keep the original text in their metadata.

Pages are built in reportlab's invariant mode: the same document renders to the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
HEADER_BG = colors.HexColor("#EEEEEE")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=GREY)
LABEL = ParagraphStyle("label", parent=BODY, fontName=BOLD, fontSize=8, leading=11, textColor=GREY)

# Letters that have no decomposition to a base letter but an obvious ASCII spelling.
_TRANSLITERATIONS = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l", "ŉ": "n"}
)


def printable(text: str) -> str:
    """Text that the Helvetica fonts (Windows-1252) can show: other letters lose their accents, else "?"."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char.translate(_TRANSLITERATIONS))
            base = "".join(c for c in base if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
            except UnicodeEncodeError:
                base = "?"
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


def markup(text: str) -> str:
    """Plain text as Paragraph markup: shown literally, line breaks kept."""
    lines = printable(text).replace("\r\n", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup(text), style)


def facts_table(pairs: list[tuple[str, str]]) -> Table:
    """Label/value pairs in two columns of pairs, between two rules."""
    half = (len(pairs) + 1) // 2
    left, right = pairs[:half], pairs[half:]
    rows = []
    for i in range(half):
        row: list[object] = [Paragraph(escape(left[i][0]), LABEL), para(left[i][1])]
        if i < len(right):
            row += [Paragraph(escape(right[i][0]), LABEL), para(right[i][1])]
        else:
            row += ["", ""]
        rows.append(row)
    table = Table(rows, colWidths=[28 * mm, WIDTH / 2 - 28 * mm, 28 * mm, WIDTH / 2 - 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LEFTPADDING", (2, 0), (2, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return table


def draw_footer(canvas: Canvas, left: str, right: str) -> None:
    """The line under every page: what the document is on the left (made printable), its page on the right."""
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, 10 * mm, printable(left))
    canvas.drawRightString(A4[0] - MARGIN, 10 * mm, right)
    canvas.restoreState()


def render_pages(story: list[Flowable], *, title: str, author: str, subject: str, **build: Any) -> bytes:
    """The story on A4 pages within the margins, with its metadata, as PDF bytes. `build` goes on to
    SimpleDocTemplate.build: onFirstPage/onLaterPages to decorate each page, or a canvasmaker."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator="daas",
        invariant=1,
    )
    template.build(story, **build)
    return buffer.getvalue()
