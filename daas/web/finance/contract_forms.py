"""The forms of the contracts pages: sign a contract, its renewal settings, register and deploy a device."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daas.contracts.terms import STATUSES
from daas.web.pages import FilterForm, options


class ContractFilterForm(FilterForm):
    customer = SelectField("Customer", choices=[], default="")
    status = SelectField(
        "Status", choices=options([("", "Any status"), *[(s, s) for s in STATUSES]]), default=""
    )


class RenewalFields:
    renews = BooleanField("Renews automatically")
    renewal_months = IntegerField(
        "Renewal (months)", default=12, validators=[InputRequired(), NumberRange(min=1, max=120)]
    )
    renewal_notice_days = IntegerField(
        "Notice to stop renewal (days)", default=90, validators=[InputRequired(), NumberRange(min=0, max=365)]
    )


class ContractForm(FlaskForm, RenewalFields):
    customer_id = SelectField("Customer", coerce=int, choices=[], validators=[InputRequired()])
    plan_code = SelectField("Plan", choices=[], validators=[DataRequired()])
    start_date = DateField("Start date", validators=[InputRequired()])
    end_date = DateField("End date", validators=[Optional()])
    minimum_monthly_amount = DecimalField("Minimum per month", places=None, validators=[Optional()])
    reference = StringField("Reference", validators=[Optional(), Length(max=40)])
    purchase_order = StringField("Purchase order", validators=[Optional(), Length(max=100)])


class RenewalForm(FlaskForm, RenewalFields):
    pass


class DeployForm(FlaskForm):
    serial = StringField("Serial", validators=[DataRequired(), Length(max=64)])
    start_date = DateField("In service from", validators=[InputRequired()])


class RegisterDeviceForm(FlaskForm):
    serial = StringField("Serial", validators=[DataRequired(), Length(max=64)])
    sku = SelectField("Model", choices=[], validators=[DataRequired()])
    manufactured_on = DateField("Manufactured on", validators=[Optional()])
    on = DateField("In stock since", validators=[Optional()])


class PlanChangeForm(FlaskForm):
    plan_code = SelectField("New plan", choices=[], validators=[DataRequired()])
    from_date = DateField("From", validators=[Optional()])
    minimum_monthly_amount = DecimalField("Minimum per month", places=None, validators=[Optional()])


class ExtendForm(FlaskForm):
    months = IntegerField("Months", default=12, validators=[InputRequired(), NumberRange(min=1, max=120)])
    plan_code = SelectField("On the plan", choices=[], default="")


class TerminationForm(FlaskForm):
    """Preview (GET) then confirm (POST): `amount` carries the charge the page showed, so the POST that
    confirms checks it still holds before anything is done."""

    end_date = DateField("Last day + 1 (the end date)", validators=[InputRequired()])
    amount = StringField(validators=[Optional(), Length(max=30)])
