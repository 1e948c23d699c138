"""The house style of daas documents (invoices, credit notes, impact statements, wipe certificates): A4
with 18 mm margins, the embedded Unicode fonts, the base paragraph styles, the block of label/value facts
under a title, and the pages with their footer line.

Fonts are TrueType files shipped in daas/core/fonts (their licences beside them) and embedded, subset, in
every PDF, as PDF/A requires: DejaVu Sans Condensed and its bold, about as wide as the Helvetica the
layouts were made for (Latin with every European accent, Greek, Cyrillic, "€", the narrow no-break space
of French numbers), and Droid Sans Fallback for what DejaVu has no glyph for (Chinese, Japanese and
Korean: a customer named "株式会社サンプル"). Text is split into runs of the first font that has each
character (`runs`, `markup`, `draw_string`); a character that neither font has prints as "?", never as a
missing glyph.

Pages are built in reportlab's invariant mode: the same document renders to the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONTS_DIR = Path(__file__).with_name("fonts")
FONT = "DejaVuSansCondensed"
BOLD = "DejaVuSansCondensed-Bold"
FALLBACK = "DroidSansFallback"  # CJK; it has no bold, so bold text in it prints regular
_FONT_FILES = {
    FONT: "DejaVuSansCondensed.ttf",
    BOLD: "DejaVuSansCondensed-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
}
_MISSING = "?"


def _register_fonts() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in _FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / file)))
    # <b> in paragraph markup picks the bold face of the family.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    pdfmetrics.registerFontFamily(
        FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK
    )


_register_fonts()


@cache
def _glyphs(font: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def runs(text: str, font: str = FONT) -> list[tuple[str, str]]:
    """`text` as (font, text) runs: each character in `font` if it has a glyph for it, else in the
    fallback font, else "?" in `font`. Line breaks and tabs print as spaces; other control characters go."""
    main, fallback = _glyphs(font), _glyphs(FALLBACK)
    out: list[tuple[str, str]] = []
    for original in text:
        char = " " if original in "\t\r\n" else original
        code = ord(char)
        if code < 32 or 127 <= code < 160:
            continue
        if code in main:
            name = font
        elif code in fallback:
            name = FALLBACK
        else:
            name, char = font, _MISSING
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + char)
        else:
            out.append((name, char))
    return out


MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
HEADER_BG = colors.HexColor("#EEEEEE")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=GREY)
LABEL = ParagraphStyle("label", parent=BODY, fontName=BOLD, fontSize=8, leading=11, textColor=GREY)


def markup(text: str, font: str = FONT) -> str:
    """Plain text as Paragraph markup: shown literally, line breaks kept, the characters `font` has no
    glyph for in the fallback font."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "<br/>".join(
        "".join(
            escape(part) if name == font else f'<font name="{name}">{escape(part)}</font>'
            for name, part in runs(line, font)
        )
        for line in lines
    )


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup(text, style.fontName), style)


def draw_string(
    canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 9, align: str = "left"
) -> None:
    """One line of plain text on the canvas at (x, y): starting there (align "left"), ending there
    ("right") or centred on it ("centre")."""
    parts = runs(text, font)
    width = sum(pdfmetrics.stringWidth(part, name, size) for name, part in parts)
    x -= {"left": 0, "right": width, "centre": width / 2}[align]
    for name, part in parts:
        canvas.setFont(name, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, name, size)


def facts_table(pairs: list[tuple[str, str]], *, label_width: float = 28 * mm) -> Table:
    """Label/value pairs in two columns of pairs, between two rules."""
    half = (len(pairs) + 1) // 2
    left, right = pairs[:half], pairs[half:]
    rows = []
    for i in range(half):
        row: list[object] = [para(left[i][0], LABEL), para(left[i][1])]
        if i < len(right):
            row += [para(right[i][0], LABEL), para(right[i][1])]
        else:
            row += ["", ""]
        rows.append(row)
    value_width = WIDTH / 2 - label_width
    table = Table(rows, colWidths=[label_width, value_width, label_width, value_width])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
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
    """The line under every page: what the document is on the left, its page on the right."""
    canvas.saveState()
    canvas.setFillColor(GREY)
    draw_string(canvas, MARGIN, 10 * mm, left, size=7.5)
    draw_string(canvas, A4[0] - MARGIN, 10 * mm, right, size=7.5, align="right")
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
        initialFontName=FONT,  # not Helvetica: a PDF/A file may use embedded fonts only
    )
    template.build(story, **build)
    return buffer.getvalue()


class NumberedCanvas(Canvas):
    """A canvas that holds the pages back until the last one, so that every page's decoration can say
    "page X of Y": `decorate(canvas, page, pages)` draws it (give it with functools.partial as the
    canvasmaker of render_pages)."""

    def __init__(self, *args: Any, decorate: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab names it)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._decorate(self, self._pageNumber, total)
            super().showPage()
        super().save()
