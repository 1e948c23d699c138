"""The account statement: what the customer owed at the start of the days it chose (the current year
unless it chose others), each invoice, credit note, payment and refund since with the balance after it,
and the same statement as a PDF. The statement the API gives (daas.accounting.statement)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from daas.accounting.balance import Statement
from daas.accounting.facts import year_range
from daas.accounting.statement import customer_statement
from daas.accounting.statement_pdf import render_statement
from daas.core import clock
from daas.downloads import PDF_MIMETYPE, download
from daas.settings import current_settings
from daas.web.pages import audience
from daas.web.portal import blp
from daas.web.portal.common import customer_scope
from daas.web.portal.forms import StatementForm


def _statement(form: StatementForm) -> Statement:
    """The days the form names when they are right, else the current year (the form shows what is wrong)."""
    valid = form.validate()
    start, end = year_range(
        form.start.data if valid else None, form.end.data if valid else None, clock.today()
    )
    return customer_statement(customer_scope(), start, end, customer_scope())


@blp.get("/statement")
@audience("customer")
def statement() -> Any:
    form = StatementForm()
    return render_template("portal/statement.html", form=form, statement=_statement(form))


@blp.get("/statement.pdf")
@audience("customer")
def statement_pdf() -> Any:
    statement = _statement(StatementForm())
    body = render_statement(statement, current_settings().issuer.name)
    name = f"statement-{statement.start.isoformat()}-{statement.end.isoformat()}.pdf"
    return download(body, PDF_MIMETYPE, name, inline=True)
