"""The finance pages' forms: GET filters (`pages.FilterForm`, like every audience's) and the POST forms
of a billing run, a bank transfer, and the confirmations of finalizing, voiding and crediting (which
carry the figures the person reviewed, so that what is done is what was shown)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.credit_notes import Creditable, LineCredit
from daas.billing.models import INVOICE_STATUSES, InvoiceLine
from daas.payments.models import EVENT_STATUSES
from daas.scheduler.models import JOB_RUN_STATUSES
from daas.scheduler.registry import JOB_NAMES
from daas.web.input import PeriodRule
from daas.web.pages import FilterForm, options

PERIOD_MESSAGE = "A month as YYYY-MM, e.g. 2026-10."


def _choices(everything: str, values: Iterable[str]) -> list[SelectChoice]:
    """A filter's options: "" for no filter, then each value (underscores read as spaces)."""
    return options([("", everything), *[(value, value.replace("_", " ")) for value in values]])


class PeriodForm(FilterForm):
    period = StringField("Period", validators=[Optional(), PeriodRule(PERIOD_MESSAGE)])


class RunForm(FlaskForm):
    period = HiddenField(validators=[DataRequired(), PeriodRule(PERIOD_MESSAGE)])


class InvoiceFilterForm(FilterForm):
    period = StringField("Period", validators=[Optional(), PeriodRule(PERIOD_MESSAGE)])
    status = SelectField("Status", choices=_choices("Any status", INVOICE_STATUSES), default="")
    customer = SelectField("Customer", choices=[], default="")
    overdue = BooleanField("Overdue only")


class ConfirmForm(FlaskForm):
    """A confirmation: `reviewed` carries the figures the page showed (`queries`' `reviewed`), so the
    POST that confirms checks they still hold before anything is done."""

    reviewed = HiddenField()

    def review_status(self, reviewed: str) -> int | None:
        """None when these figures are the ones confirmed; else the status of the confirmation page to
        show (again): 200 when nothing was reviewed yet, 409 when the figures changed since."""
        if self.reviewed.data == reviewed:
            return None
        return 409 if self.reviewed.data else 200


class VoidForm(ConfirmForm):
    reason = TextAreaField("Reason for voiding", validators=[DataRequired(), Length(max=500)])


class CreditNoteForm(ConfirmForm):
    """Credit an amount of the invoice or amounts of its lines (`line_<id>` fields, added per invoice by
    `credit_note_form`), net: the invoice's VAT rate is added."""

    amount = DecimalField("Credit amount", places=None, validators=[Optional()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])

    def line_fields(self) -> dict[int, Field]:
        """The amount field of each invoice line, by the line's id."""
        return {
            int(field.short_name.removeprefix("line_")): field
            for field in self
            if field.short_name.startswith("line_")
        }

    def line_credits(self) -> list[LineCredit]:
        return [
            LineCredit(line_id, field.data) for line_id, field in self.line_fields().items() if field.data
        ]

    def check_creditable(self, left: Creditable, currency: str) -> bool:
        """Either an amount or amounts of lines; each positive, in the currency's decimals and within
        what is left to credit (`invoice_lifecycle.credit_amount_problem`'s words), the errors beside the
        fields. The credit note's own checks run again when it is issued."""
        lines = {line_id: f for line_id, f in self.line_fields().items() if f.data is not None}
        if (self.amount.data is None) == (not lines):
            message = (
                "Credit either an amount or amounts of lines, not both."
                if lines
                else ("Credit an amount, or amounts of the lines below.")
            )
            self.amount.errors = [*self.amount.errors, message]
            return False
        wanted: list[tuple[Field, Decimal, Decimal]] = [
            (f, f.data, left.lines.get(line_id, Decimal(0))) for line_id, f in lines.items()
        ]
        if self.amount.data is not None:
            wanted.append((self.amount, self.amount.data, left.net))
        fine = True
        for f, amount, most in wanted:
            problem = lifecycle.credit_amount_problem(amount, currency, max(most, Decimal(0)), Decimal(0))
            if problem is not None:
                f.errors = [*f.errors, problem]
                fine = False
        if fine and lines and sum(amount for _, amount, _ in wanted) > left.net:
            self.amount.errors = [*self.amount.errors, "The lines add up to more than is left to credit."]
            fine = False
        return fine


def credit_note_form(lines: Iterable[InvoiceLine], **kwargs: Any) -> CreditNoteForm:
    """The credit note form of one invoice: an amount field for each line that charged something,
    labelled with the line's number on the documents."""
    fields = {
        f"line_{line.id}": DecimalField(f"Credit on line {number}", places=None, validators=[Optional()])
        for number, line in enumerate(lines, start=1)
        if line.amount > 0
    }
    form_class = type("InvoiceCreditNoteForm", (CreditNoteForm,), fields)
    return form_class(prefix="credit", **kwargs)


class BankTransferForm(FlaskForm):
    amount = DecimalField("Amount received", places=None, validators=[InputRequired()])
    reference = StringField("Bank reference", validators=[DataRequired(), Length(max=100)])
    paid_on = DateField("Received on", validators=[InputRequired()])


class JobRunFilterForm(FilterForm):
    job = SelectField("Job", choices=_choices("Every job", JOB_NAMES), default="")
    status = SelectField("Status", choices=_choices("Any status", JOB_RUN_STATUSES), default="")


class WebhookEventFilterForm(FilterForm):
    status = SelectField("Status", choices=_choices("Any status", EVENT_STATUSES), default="")
    given_up = BooleanField("Given up only")
