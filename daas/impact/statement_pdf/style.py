"""The statement's paragraph styles, on the house style of daas.core.pdf: its figures sit in 8 pt cells."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from daas.core.pdf import BODY, BOLD

WARN = colors.HexColor("#B45309")
WARN_BG = colors.HexColor("#FEF3C7")

TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=18, leading=22, spaceAfter=2)
HEAD = ParagraphStyle(
    "head", parent=BODY, fontName=BOLD, fontSize=11, leading=14, spaceAfter=3, keepWithNext=1
)
BOOK = ParagraphStyle("book", parent=BODY, fontName=BOLD, fontSize=10, leading=13)
WARNING = ParagraphStyle("warning", parent=BODY, textColor=WARN)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName=BOLD)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
CELL_BOLD_RIGHT = ParagraphStyle("cell_bold_right", parent=CELL_BOLD, alignment=TA_RIGHT)
