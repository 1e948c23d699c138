"""The finance pages' forms: GET filters (`pages.FilterForm`, like every audience's) and the POST forms
of a billing run, a credit note and a bank transfer."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from daas.billing.models import INVOICE_STATUSES
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


class CreditNoteForm(FlaskForm):
    amount = DecimalField("Credit amount", places=None, validators=[InputRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


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
