"""A customer's account statement as an A4 PDF in the house style (daas.core.pdf): who it is from and
for, the range, the opening balance, a row per invoice, credit note, payment and refund with the balance
after it, and the closing balance. Pure: the statement's plain values in (daas.accounting.balance), bytes
out. Amounts carry the currency code and its decimals ("EUR 605.00", "JPY 4200"); nothing is a float.
The same statement renders to the same bytes (reportlab's invariant mode).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from daas.accounting.balance import Statement
from daas.core.money import format_money
from daas.core.pdf import (
    BODY,
    BOLD,
    FONT,
    HEADER_BG,
    RULE,
    SMALL,
    WIDTH,
    draw_footer,
    facts_table,
    para,
    render_pages,
)

__all__ = ["render_statement"]

_TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=18, leading=22, spaceAfter=4)
_CELL = ParagraphStyle("cell", parent=BODY, leading=11)
_CELL_RIGHT = ParagraphStyle("cell_right", parent=_CELL, alignment=TA_RIGHT)
_STRONG_RIGHT = ParagraphStyle("strong_right", parent=_CELL_RIGHT, fontName=BOLD)
_STRONG = ParagraphStyle("strong", parent=_CELL, fontName=BOLD)

_DAY, _AMOUNT = 23 * mm, 24 * mm
_COLUMNS = [_DAY, WIDTH - 2 * _DAY - 3 * _AMOUNT, _DAY, _AMOUNT, _AMOUNT, _AMOUNT]


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {format_money(amount, currency)}"


def _amount(amount: Decimal, currency: str) -> str:
    """A debit or credit cell: empty when nothing moved on that side."""
    return "" if amount == 0 else format_money(amount, currency)


def _balance_state(balance: Decimal, currency: str) -> str:
    if balance > 0:
        return f"{_money(balance, currency)} owed"
    if balance < 0:
        return f"{_money(-balance, currency)} in your favour"
    return _money(balance, currency)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _rows_table(statement: Statement) -> Table:
    currency = statement.currency
    rows: list[list[object]] = [["Date", "Document", "Due", "Debit", "Credit", "Balance"]]
    rows.append(
        [
            para(_day(statement.start), _CELL),
            para("Opening balance", _STRONG),
            "",
            "",
            "",
            para(format_money(statement.opening_balance, currency), _STRONG_RIGHT),
        ]
    )
    for row in statement.rows:
        rows.append(
            [
                para(_day(row.on), _CELL),
                para(row.description, _CELL),
                para(_day(row.due_on), _CELL),
                para(_amount(row.debit, currency), _CELL_RIGHT),
                para(_amount(row.credit, currency), _CELL_RIGHT),
                para(format_money(row.balance, currency), _CELL_RIGHT),
            ]
        )
    rows.append(
        [
            para(_day(statement.end), _CELL),
            para("Closing balance", _STRONG),
            "",
            para(format_money(statement.total_debit, currency), _STRONG_RIGHT),
            para(format_money(statement.total_credit, currency), _STRONG_RIGHT),
            para(format_money(statement.closing_balance, currency), _STRONG_RIGHT),
        ]
    )
    table = Table(rows, colWidths=_COLUMNS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 9),
                ("FONT", (0, 1), (-1, -1), FONT, 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ALIGN", (3, 0), (-1, 0), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                ("LINEBELOW", (0, 1), (-1, -2), 0.25, HEADER_BG),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_statement(statement: Statement, issuer_name: str) -> bytes:
    """The statement as PDF bytes, issued by `issuer_name`."""
    currency = statement.currency
    title = f"Account statement {statement.start.isoformat()} to {statement.end.isoformat()}"
    story: list[Flowable] = [
        para("Account statement", _TITLE),
        facts_table(
            [
                ("From", issuer_name),
                ("Customer", statement.customer_name),
                ("Customer number", str(statement.customer_id)),
                ("Currency", currency),
                ("Period", f"{statement.start.isoformat()} to {statement.end.isoformat()}"),
            ]
        ),
        Spacer(1, 6 * mm),
        _rows_table(statement),
        Spacer(1, 4 * mm),
        para(
            f"Balance on {statement.end.isoformat()}: {_balance_state(statement.closing_balance, currency)}.",
            _STRONG,
        ),
        Spacer(1, 2 * mm),
        para(
            "Debit: invoices, and refunds paid back to you. Credit: credit notes and payments received. "
            "The balance is what is owed after each row; below zero it is in your favour. The invoices "
            "and credit notes themselves are the documents as issued.",
            SMALL,
        ),
    ]

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        draw_footer(canvas, f"{title} | {statement.customer_name} | {issuer_name}", f"Page {document.page}")

    return render_pages(
        story,
        title=title,
        author=issuer_name,
        subject=f"Account statement of {statement.customer_name}",
        onFirstPage=decorate,
        onLaterPages=decorate,
    )
