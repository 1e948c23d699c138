"""The logistics pages' forms: filters (read from the query string), the steps of a return order, pickup
slots and their capacity, the serial box, the takeback actions of the device page, completing a refresh.
They check what a person typed; whether a step may be done now is the services' answer."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from marshmallow import ValidationError as Refused
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from daas.core import money
from daas.devices import lifecycle
from daas.logistics import takeback
from daas.logistics.models import RefreshStatus
from daas.schemas.logistics import PartSchema
from daas.web.input import CodeRule, MonthRule, SerialRule
from daas.web.pages import FilterForm, options

WIPE_METHODS = {method: method.capitalize() for method in lifecycle.WIPE_METHODS}  # weakest first
GRADES = [
    ("A", "A: as new"),
    ("B", "B: light wear"),
    ("C", "C: visible wear, works"),
    ("D", "D: parts only"),
]
DISPOSITION_LABELS = {
    "redeploy": "Redeploy: back in stock as it is",
    "refurbish": "Refurbish: repair, then restock",
    "harvest": "Harvest parts (final)",
    "recycle": "Recycle (final; needs a purge or destroy wipe)",
}
# The domain's dispositions, in its order, with their labels (a new one without a label fails at import).
DISPOSITIONS = {name: DISPOSITION_LABELS[name] for name in takeback.DISPOSITIONS}


# -- return orders ----------------------------------------------------------------------------------------


class ReturnFilterForm(FilterForm):
    status = SelectField("State", validate_choice=False)
    region = SelectField("Region", validate_choice=False)


class ScheduleForm(FlaskForm):
    """The page offers the days with room; whether the posted day has room is the service's answer."""

    date = SelectField("Pickup date", validators=[DataRequired()], validate_choice=False)


class PickupForm(FlaskForm):
    picked_up_on = DateField("Picked up on", validators=[InputRequired()])
    carrier = StringField("Carrier", validators=[Optional(), Length(max=100)])
    tracking = StringField("Tracking number", validators=[Optional(), Length(max=100)])


class ReceiveForm(FlaskForm):
    received_on = DateField("Received on", validators=[InputRequired()])


# -- pickup capacity calendar -----------------------------------------------------------------------------


class CalendarFilterForm(FilterForm):
    region = SelectField("Region", validate_choice=False)
    month = StringField("Month", validators=[Optional(), MonthRule("As 2026-12.")])


class SlotForm(FlaskForm):
    """Prefixed "new-" (the filter above it has a region too); the page's CSRF token is checked for every
    POST."""

    class Meta:
        csrf = False

    region = StringField(
        "Region",
        validators=[DataRequired(), Length(max=32), CodeRule("Letters, digits, - . _ /")],
    )
    date = DateField("Day", validators=[InputRequired()])
    capacity = IntegerField("Capacity (pickups)", validators=[InputRequired(), NumberRange(min=0, max=10000)])


class CapacityForm(FlaskForm):
    """One per slot row, prefixed by the slot; the page's CSRF token is checked for every POST."""

    class Meta:
        csrf = False

    capacity = IntegerField("Capacity", validators=[InputRequired(), NumberRange(min=0, max=10000)])


# -- devices by serial ------------------------------------------------------------------------------------


class SerialForm(FilterForm):
    serial = StringField("Serial", validators=[DataRequired(), SerialRule()])


PART = PartSchema()  # the API's rule for a harvested part: the one the page applies too
PART_FIELDS = {"part": "part", "weight_kg": "weight"}
NOT_A_NUMBER = money.NOT_DECIMAL_TEXT  # what the weight field says of text that is no decimal


def _harvested_parts(text: str | None) -> list[dict[str, Any]]:
    """'battery, 0.25' per line -> [{"part": "battery", "weight_kg": Decimal("0.25")}]. Each line is
    checked as the API checks a harvested part (a name of at most 100 characters, a weight from 0 to 100 kg
    with at most 3 decimals), so what is stored is what was typed, never rounded or cut short."""
    parts = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, comma, weight = line.rpartition(",")
        try:
            parts.append(PART.load({"part": name, "weight_kg": weight.strip()}))
        except Refused as refused:
            raise ValidationError(_line_problem(number, bool(comma), refused.messages)) from None
    return parts


def _line_problem(number: int, comma: bool, problems: Any) -> str:
    """What is wrong with line `number`: its form (part, comma, weight), else the first rule it breaks."""
    if not comma or problems.get("weight_kg") == [NOT_A_NUMBER]:
        return f"Line {number}: write the part, a comma, then its weight in kg."
    field, messages = next(iter(problems.items()))
    return f"Line {number}, {PART_FIELDS[field]}: {messages[0]}"


class WipeForm(FlaskForm):
    method = SelectField("Method", choices=options(WIPE_METHODS.items()), default="purge")
    standard = StringField("Standard", validators=[DataRequired(), Length(max=100)], default=takeback.NIST)
    technique = StringField("Technique", validators=[Optional(), Length(max=100)])
    tool = StringField("Tool", validators=[Optional(), Length(max=100)])
    tool_version = StringField("Tool version", validators=[Optional(), Length(max=50)])
    media_type = StringField("Media type", validators=[Optional(), Length(max=50)])
    media_serial = StringField("Media serial", validators=[Optional(), Length(max=100)])
    verification = SelectField("Verification", choices=options([("full", "Full"), ("sampling", "Sampling")]))
    verified_by = StringField("Verified by", validators=[DataRequired(), Length(max=254)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])
    on = DateField("Wiped on", validators=[Optional()])

    def values(self) -> dict[str, Any]:
        names = ("method", "standard", "technique", "tool", "tool_version", "media_type", "media_serial")
        return {
            **{name: getattr(self, name).data or None for name in names},
            "verification": self.verification.data,
            "verified_by": self.verified_by.data,
            "notes": self.notes.data or None,
            "on": self.on.data,
        }


class GradeForm(FlaskForm):
    grade = SelectField("Grade", choices=options(GRADES))
    notes = TextAreaField("What you found", validators=[Optional(), Length(max=takeback.NOTES_MAX_LENGTH)])
    on = DateField("Graded on", validators=[Optional()])


class DispositionForm(FlaskForm):
    disposition = SelectField("Disposition", choices=options(DISPOSITIONS.items()))
    harvested_parts = TextAreaField("Harvested parts")
    on = DateField("On", validators=[Optional()])

    def validate_harvested_parts(self, field: TextAreaField) -> None:
        self.parts = _harvested_parts(field.data) if self.disposition.data == "harvest" else []


class RestockForm(FlaskForm):
    on = DateField("Restocked on", validators=[Optional()])


class DeployForm(FlaskForm):
    contract_id = IntegerField(
        "Contract number", validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )
    start_date = DateField("From", validators=[InputRequired()])


class LostForm(FlaskForm):
    on = DateField("Lost on", validators=[Optional()])
    note = StringField("Note", validators=[Optional(), Length(max=500)])


ACTION_FORMS = {
    "wipe": WipeForm,
    "grade": GradeForm,
    "disposition": DispositionForm,
    "restock": RestockForm,
    "deploy": DeployForm,
    "lost": LostForm,
}
# The lifecycle actions the device page does, and the form of each: a second, stronger wipe of a graded
# device is the wipe form, every disposition the disposition form.
FORM_OF_ACTION = {
    "wipe": "wipe",
    "wipe_again": "wipe",
    "grade": "grade",
    **dict.fromkeys(DISPOSITIONS, "disposition"),
    "restock": "restock",
    "deploy": "deploy",
    "lose": "lost",
}


# -- refresh orders ---------------------------------------------------------------------------------------


class RefreshFilterForm(FilterForm):
    status = SelectField("State", validate_choice=False, default=RefreshStatus.APPROVED)


class CompleteForm(FlaskForm):
    completed_on = DateField("Completed on", validators=[InputRequired()])
    kit = SelectField(
        "Upgrade kit", choices=options([("battery", "Battery"), ("storage", "Storage"), ("memory", "Memory")])
    )
    extension_months = IntegerField("Extends life by (months)", validators=[Optional(), NumberRange(1, 60)])
    replacement_serial = StringField("Replacement serial", validators=[Optional(), SerialRule()])
