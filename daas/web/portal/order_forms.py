"""The forms of the portal's people and orders: a person's details, the people CSV upload, offboarding,
the contract an order is for, the order itself (a quantity per model of the contract's catalog, the
person or an address, the day, refurbished or not) and the filters of the lists. They check what a person
typed; whether it may be done is the services' answer."""

from __future__ import annotations

import functools
from typing import Any

import pycountry
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daas.orders.lifecycle import ORDER_STATUSES
from daas.orders.models import GRADES
from daas.people.models import PERSON_STATUSES
from daas.people.rules import (
    ALLOWANCE_RULE,
    MAX_COST_CENTRE_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REGION_LENGTH,
)
from daas.people.rules import MAX_CITY_LENGTH as CITY
from daas.people.rules import MAX_LINE_LENGTH as LINE
from daas.people.rules import MAX_POSTCODE_LENGTH as POSTCODE
from daas.web.input import CodeRule, Exact
from daas.web.pages import FilterForm, options

MAX_UNITS_PER_MODEL = 500  # what one line of the page may ask for
OFFBOARD_RETURN = "return"
OFFBOARD_REASSIGN = "reassign"
GRADE_LABELS = {"A": "A: as new", "B": "B: light wear", "C": "C: visible wear, works", "D": "D: parts only"}


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@functools.cache
def country_choices() -> list[SelectChoice]:
    countries = sorted(pycountry.countries, key=lambda country: country.name)
    return options([("", "Choose a country"), *[(c.alpha_2, f"{c.name} ({c.alpha_2})") for c in countries]])


class AddressFields:
    """An address's parts as the API's `address` {line1, line2?, postcode, city, country} and a region.
    Mixed into a form; which parts are required is the services' rule (daas.people.rules), said beside
    the fields."""

    line1 = StringField("Street and number", validators=[Optional(), Length(max=LINE)], filters=[strip])
    line2 = StringField("Address line 2", validators=[Optional(), Length(max=LINE)], filters=[strip])
    postcode = StringField("Postcode", validators=[Optional(), Length(max=POSTCODE)], filters=[strip])
    city = StringField("City", validators=[Optional(), Length(max=CITY)], filters=[strip])
    country = SelectField("Country", validators=[Optional()], validate_choice=False)
    region = StringField(
        "Region",
        validators=[Optional(), Length(max=MAX_REGION_LENGTH), CodeRule("Letters, digits, - . _ / only.")],
        filters=[strip],
    )

    def address(self: Any) -> dict[str, Any]:
        return {
            "line1": self.line1.data or "",
            "line2": self.line2.data or None,
            "postcode": self.postcode.data or "",
            "city": self.city.data or "",
            "country": self.country.data or "",
        }

    def has_address(self: Any) -> bool:
        return any((getattr(self, name).data or "").strip() for name in ("line1", "postcode", "city"))


# -- people -------------------------------------------------------------------------------------------------


class PeopleFilterForm(FilterForm):
    status = SelectField(
        "Status",
        choices=options([("", "All"), *[(s, s.capitalize()) for s in PERSON_STATUSES]]),
        validators=[Optional()],
    )


class PersonForm(FlaskForm, AddressFields):
    name = StringField("Name", validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)], filters=[strip])
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=MAX_EMAIL_LENGTH)], filters=[strip])
    cost_centre = StringField(
        "Cost centre", validators=[Optional(), Length(max=MAX_COST_CENTRE_LENGTH)], filters=[strip]
    )
    monthly_allowance = DecimalField(
        "Monthly allowance",
        places=None,
        validators=[Optional(), Exact(ALLOWANCE_RULE.places, 0)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def values(self) -> dict[str, Any]:
        """The person's details as the services take them; an empty region is the customer's."""
        return {
            "name": self.name.data,
            "email": self.email.data,
            "cost_centre": self.cost_centre.data or None,
            "address": self.address(),
            "region": self.region.data or None,
            "monthly_allowance": self.monthly_allowance.data,
        }


class PeopleImportForm(FlaskForm):
    file = FileField(
        "People file (CSV)",
        validators=[FileRequired("Choose a file."), FileAllowed(["csv"], "A .csv file, please.")],
    )


class OffboardForm(FlaskForm):
    action = RadioField(
        "What happens to their devices",
        choices=options(
            [
                (OFFBOARD_RETURN, "Return them: a pickup from the person's address"),
                (OFFBOARD_REASSIGN, "Hand them to another person of yours"),
            ]
        ),
        validators=[DataRequired(message="Choose return or hand over.")],
    )
    to_person_id = SelectField("Hand them to", coerce=str, validate_choice=False, validators=[Optional()])
    requested_date = DateField("Pickup from (for a return)", validators=[Optional()])


# -- orders -------------------------------------------------------------------------------------------------


class OrderFilterForm(FilterForm):
    status = SelectField(
        "Status",
        choices=options([("", "All"), *[(s, s.capitalize()) for s in ORDER_STATUSES]]),
        validators=[Optional()],
    )


class ChooseContractForm(FlaskForm):
    """Step 1 of an order (a GET form): the subscription whose catalog and prices apply."""

    class Meta:
        csrf = False

    contract = SelectField("Subscription", coerce=int, validate_choice=True)


class LineForm(Form):
    """One model of the catalog: its SKU (hidden) and how many."""

    sku = HiddenField(validators=[DataRequired(), Length(max=64)])
    quantity = IntegerField(
        "Quantity", default=0, validators=[Optional(), NumberRange(min=0, max=MAX_UNITS_PER_MODEL)]
    )


class OrderForm(FlaskForm, AddressFields):
    contract_id = HiddenField(validators=[DataRequired()])
    lines = FieldList(FormField(LineForm), min_entries=0)
    person_id = SelectField("For", validate_choice=False)
    requested_date = DateField("Wanted by", validators=[InputRequired(message="Give a date (YYYY-MM-DD).")])
    accept_refurbished = BooleanField("Refurbished devices are fine", default=True)
    lowest_grade = SelectField(
        "Lowest grade of a refurbished device",
        choices=options((grade, GRADE_LABELS[grade]) for grade in GRADES),
        default="B",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def ordered(self) -> list[tuple[int, dict[str, Any]]]:
        """(row on the page, line as the services take it) for each model with a quantity."""
        person = int(self.person_id.data) if (self.person_id.data or "").isdigit() else None
        return [
            (row, {"sku": line.sku.data, "quantity": line.quantity.data, "person_id": person})
            for row, line in enumerate(self.lines)
            if line.quantity.data
        ]
