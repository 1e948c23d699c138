"""The portal's forms: the filters of its lists, the days of the account statement, the refresh
decision and new date, the two steps of booking a return, the card the customer adds, the dispute of
a one-off charge, and a device's end-of-term choice."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from daas.billing import invoice_lifecycle as lifecycle
from daas.core.dates import LAST_DAY
from daas.core.identifiers import PAYMENT_METHOD_MAX_LENGTH, PAYMENT_METHOD_PATTERN
from daas.logistics.models import RETURN_STATUSES, EndOfTerm, RefreshStatus, ReturnReason
from daas.logistics.rules import RefreshAction
from daas.web.input import CodeRule
from daas.web.pages import FilterForm, options

RETURN_REASONS = [
    (ReturnReason.EARLY_RETURN, "Early return: no longer needed"),
    (ReturnReason.DEFECT, "Defective device"),
    (ReturnReason.END_OF_TERM, "End of the subscription's term"),
]
ASAP = "asap"  # the pickup date chosen when no date is free: logistics schedules it

INVOICE_FILTERS = [
    ("", "All"),
    (lifecycle.OPEN, "Open"),
    (lifecycle.PAID, "Paid"),
    (lifecycle.UNCOLLECTIBLE, "Not collected"),
    (lifecycle.VOID, "Void"),
]

REFRESH_FILTERS = [
    (RefreshStatus.OPEN, "Waiting for you"),
    (RefreshStatus.APPROVED, "Approved"),
    (RefreshStatus.COMPLETED, "Completed"),
    (RefreshStatus.CANCELLED, "Cancelled"),
    ("", "All"),
]


class InvoiceFilterForm(FilterForm):
    status = SelectField("Status", choices=options(INVOICE_FILTERS), validators=[Optional()])


def _within_the_calendar(form: FlaskForm, field: DateField) -> None:
    if field.data and not date(2000, 1, 1) <= field.data <= LAST_DAY:
        raise ValidationError(f"A day from 2000-01-01 to {LAST_DAY.isoformat()}.")


class StatementForm(FilterForm):
    """The days of an account statement (as the API's `from` and `to`); left out, the year."""

    start = DateField("From", name="from", validators=[Optional(), _within_the_calendar])
    end = DateField("To", name="to", validators=[Optional(), _within_the_calendar])

    def validate_end(self, field: DateField) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("On or after the first day.")


# -- refresh orders -----------------------------------------------------------------------------------------


class RefreshFilterForm(FilterForm):
    status = SelectField(
        "Show", choices=options(REFRESH_FILTERS), default=RefreshStatus.OPEN, validators=[Optional()]
    )


class ApproveForm(FlaskForm):
    action = RadioField(
        "Your decision",
        choices=options(
            [
                (
                    RefreshAction.UPGRADE,
                    "Upgrade: keep the device and extend its life (battery, storage or memory)",
                ),
                (RefreshAction.REPLACE, "Replace: a new device, and the old one is picked up"),
            ]
        ),
        validators=[DataRequired(message="Choose upgrade or replace.")],
    )
    replacement_sku = SelectField(
        "Replacement model (for a replacement)", choices=[], validate_choice=True, validators=[Optional()]
    )


class RescheduleForm(FlaskForm):
    due_date = DateField("New date", validators=[DataRequired(message="Give a date (YYYY-MM-DD).")])


# -- returns ------------------------------------------------------------------------------------------------


class ReturnFilterForm(FilterForm):
    status = SelectField(
        "Status",
        choices=options([("", "All")] + [(s, s.replace("_", " ").capitalize()) for s in RETURN_STATUSES]),
        validators=[Optional()],
    )


class ChooseSubscriptionForm(FlaskForm):
    """Step 1 of booking a return (a GET form): which subscription, and where the devices are picked up."""

    class Meta:
        csrf = False

    contract = SelectField("Subscription", coerce=int, validate_choice=True)
    region = StringField(
        "Pickup region",
        validators=[DataRequired(), Length(max=32), CodeRule("Letters, digits, - . _ / only.")],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReturnForm(FlaskForm):
    contract_id = HiddenField(validators=[DataRequired()])
    region = HiddenField(validators=[DataRequired(), Length(max=32), CodeRule()])
    serials = MultiCheckboxField(
        "Devices to return", validators=[DataRequired("Choose at least one device.")]
    )
    reason = SelectField("Reason", choices=options(RETURN_REASONS))
    address = TextAreaField("Pickup address", validators=[DataRequired(), Length(max=500)])
    requested_date = RadioField("Pickup date", validators=[DataRequired("Choose a pickup date.")])


# -- how the customer pays ----------------------------------------------------------------------------------


class CardForm(FlaskForm):
    payment_method = HiddenField(
        validators=[DataRequired(), Length(max=PAYMENT_METHOD_MAX_LENGTH), Regexp(PAYMENT_METHOD_PATTERN)]
    )


class DisputeForm(FlaskForm):
    """Dispute one charge: one form per charge on the subscription page, told apart by their prefix."""

    reason = TextAreaField(
        "Why you dispute it",
        validators=[DataRequired(message="Say why you dispute the charge."), Length(max=2000)],
    )


def dispute_form(charge_id: int, formdata: Any = None) -> DisputeForm:
    """The dispute form of one charge (fields named `charge-<id>-reason`); `formdata` None: empty."""
    return DisputeForm(formdata=formdata, prefix=f"charge-{charge_id}")


class EndOfTermForm(FlaskForm):
    """One device's choice at the end of the subscription: one form per device on the subscription page,
    told apart by their prefix. A buy-out names the quote shown and confirms its price."""

    choice = RadioField(
        "At the end of the subscription",
        choices=options(
            [(EndOfTerm.RETURN, "Return it"), (EndOfTerm.EXTEND, "Keep it"), (EndOfTerm.BUY_OUT, "Buy it")]
        ),
        validators=[DataRequired("Choose what happens to the device.")],
    )
    quote_id = HiddenField()
    confirm = BooleanField("I buy the device at the quoted price")

    def validate_confirm(self, field: BooleanField) -> None:
        if self.choice.data == EndOfTerm.BUY_OUT and not field.data:
            raise ValidationError("Tick this to buy the device at its quoted price.")

    def validate_quote_id(self, field: HiddenField) -> None:
        if field.data and not re.fullmatch(r"[1-9][0-9]{0,9}", field.data):
            raise ValidationError("The quote is not one this page gave; reload the page.")
        if self.choice.data == EndOfTerm.BUY_OUT and not field.data:
            raise ValidationError("This device has no quote to accept.")


def end_of_term_form(serial: str, formdata: Any = None) -> EndOfTermForm:
    """The end-of-term form of one device (fields named `eot-<serial>-choice`, with the characters a
    field name keeps); `formdata` None: empty."""
    return EndOfTermForm(formdata=formdata, prefix="eot-" + re.sub(r"[^A-Za-z0-9_-]", "_", serial))
