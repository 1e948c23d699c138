"""The admin pages' forms: customers, users and tokens, device models and the footprint import, grid
factor uploads, plans (with their charge and tier rows) and metrics. Codes and exact decimals follow the
API's rules (daas.web.input)."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import pycountry
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from daas.auth.models import ROLES
from daas.catalog.models import CATEGORIES
from daas.core import money
from daas.core.languages import LANGUAGES
from daas.customers.services import ADDRESS_COLUMNS
from daas.pricing.models import AGGREGATIONS, PRICING_MODELS
from daas.web.input import CodeRule, Exact
from daas.web.pages import FilterForm, options

CODE_MESSAGE = "Letters, digits and . _ - / only, starting with a letter or digit."
CHARGE_ROWS = 3  # metered charges a new plan may have on the form
TIER_ROWS = 4  # tiers per metered charge


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value: Any) -> Any:
    return None if value in ("", None) else value


def _code(label: str, max_length: int = 64, required: bool = True) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired() if required else Optional(),
            Length(max=max_length),
            CodeRule(CODE_MESSAGE),
        ],
        filters=[strip],
    )


def _decimal(label: str, places: int, maximum: Decimal | int | None = None) -> DecimalField:
    return DecimalField(label, places=None, validators=[Optional(), Exact(places, 0, maximum)])


# -- customers -----------------------------------------------------------------------------------------


@functools.cache
def _country_choices() -> list[SelectChoice]:
    countries = sorted(pycountry.countries, key=lambda country: country.name)
    return options([("", "Choose a country"), *[(c.alpha_2, f"{c.name} ({c.alpha_2})") for c in countries]])


_CURRENCIES = [(code, code) for code in sorted(money.CURRENCY_EXPONENTS)]


_LANGUAGE_NAMES = {"en": "English", "nl": "Dutch", "de": "German", "fr": "French"}
_LANGUAGE_CHOICES = [("", "Its country's"), *[(code, _LANGUAGE_NAMES[code]) for code in LANGUAGES]]


class CustomerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip])
    country = SelectField("Country", validators=[DataRequired(message="Choose the customer's country.")])
    vat_id = StringField("VAT id", validators=[Optional(), Length(min=2, max=20)], filters=[strip])
    currency = SelectField("Currency", choices=options(_CURRENCIES), default="EUR")
    billing_email = EmailField(
        "Billing e-mail", validators=[DataRequired(), Email(), Length(max=254)], filters=[strip]
    )
    payment_terms_days = IntegerField(
        "Payment terms (days)", validators=[Optional(), NumberRange(min=0, max=365)]
    )
    pickup_region = _code("Pickup region", max_length=32, required=False)
    pickup_address = TextAreaField(
        "Pickup address", validators=[Optional(), Length(max=500)], filters=[strip]
    )
    # The billing address (its country is the customer's), and what invoices say about the customer.
    address_line1 = StringField(
        "Street and number", validators=[DataRequired(), Length(max=200)], filters=[strip]
    )
    address_line2 = StringField("Address line 2", validators=[Optional(), Length(max=200)], filters=[strip])
    postcode = StringField("Postcode", validators=[DataRequired(), Length(max=20)], filters=[strip])
    city = StringField("City", validators=[DataRequired(), Length(max=100)], filters=[strip])
    registration_id = StringField(
        "Registration id", validators=[Optional(), Length(max=100)], filters=[strip]
    )
    peppol_id = StringField("Peppol id", validators=[Optional(), Length(max=100)], filters=[strip])
    buyer_reference = StringField(
        "Buyer reference", validators=[Optional(), Length(max=100)], filters=[strip]
    )
    document_language = SelectField(
        "Document language",
        choices=options(_LANGUAGE_CHOICES),
        coerce=lambda value: value or None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices()

    def values(self) -> dict[str, Any]:
        """What the customer use cases take: the columns, with the billing address as the API sends it."""
        values = {
            name: none_if_blank(getattr(self, name).data)
            for name in (
                "name",
                "country",
                "vat_id",
                "currency",
                "billing_email",
                "pickup_region",
                "pickup_address",
                "registration_id",
                "peppol_id",
                "buyer_reference",
                "document_language",
            )
        }
        values["billing_address"] = {  # its fields are named after the columns that keep the parts
            part: none_if_blank(getattr(self, column).data) for part, column in ADDRESS_COLUMNS.items()
        }
        if self.payment_terms_days.data is not None:
            values["payment_terms_days"] = self.payment_terms_days.data
        return values


class CustomerSearchForm(FilterForm):
    q = StringField("Name contains", validators=[Optional(), Length(max=200)], filters=[strip])


# -- users and tokens ----------------------------------------------------------------------------------


class UserForm(FlaskForm):
    # The address and password are checked by the one rule of daas.auth.rules (in auth.create_user), whose
    # message lands beside the field: the same words as the API and the command line.
    email = EmailField("E-mail", validators=[DataRequired()], filters=[strip])
    role = SelectField("Role", choices=options([(role, role) for role in ROLES]), default="customer")
    customer_id = SelectField(
        "Customer",
        coerce=lambda value: int(value) if value not in ("", None) else None,
        validate_choice=False,
    )
    password = PasswordField("Password", validators=[Optional()])

    def validate_customer_id(self, field: Any) -> None:
        if field.data is not None and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a customer from the list.")


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)], filters=[strip])


# -- catalog -------------------------------------------------------------------------------------------


_CATEGORY_CHOICES = [(category, category) for category in CATEGORIES]


class CatalogFilterForm(FilterForm):
    category = SelectField("Category", choices=options([("", "All categories"), *_CATEGORY_CHOICES]))


def _more_than_zero(form: Any, field: Any) -> None:
    if field.data is not None and field.data <= 0:
        raise ValidationError("Must be more than 0.")


class DeviceModelForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip])
    category = SelectField("Category", choices=options(_CATEGORY_CHOICES))
    manufacturer = StringField("Manufacturer", validators=[DataRequired(), Length(max=100)], filters=[strip])
    weight_kg = DecimalField("Weight (kg)", places=None, validators=[InputRequired(), Exact(3, 0, 1000)])
    embodied_co2e_kg = DecimalField(
        "Embodied CO2e (kg)", places=None, validators=[InputRequired(), Exact(3, 0, 100_000)]
    )
    use_kwh_per_year = DecimalField(
        "Use (kWh per year)", places=None, validators=[InputRequired(), Exact(3, 0, 100_000)]
    )
    expected_lifetime_months = IntegerField(
        "Expected lifetime (months)", validators=[InputRequired(), NumberRange(min=1, max=240)]
    )
    source = StringField("Source", validators=[Optional(), Length(max=500)], filters=[strip])
    # What a buy-out is priced from: the list value in EUR (the API sets the other currencies) and the
    # least share of it a buy-out costs.
    list_value_eur = DecimalField(
        "List value (EUR, net)",
        places=None,
        validators=[Optional(), Exact(2, 0, 10**12 - 1), _more_than_zero],
    )
    floor_share = DecimalField("Buy-out floor share", places=None, validators=[Optional(), Exact(4, 0, 1)])

    def values(self, list_values: dict[str, Decimal]) -> dict[str, Any]:
        """The model's changes; `list_values` are its list values now, whose EUR one the form sets."""
        names = ("name", "category", "manufacturer", "weight_kg", "embodied_co2e_kg", "use_kwh_per_year")
        values = {name: getattr(self, name).data for name in names}
        values["expected_lifetime_months"] = self.expected_lifetime_months.data
        values["source"] = none_if_blank(self.source.data)
        values["floor_share"] = self.floor_share.data
        others = {currency: amount for currency, amount in list_values.items() if currency != "EUR"}
        eur = self.list_value_eur.data
        values["list_values"] = {**others, **({"EUR": eur} if eur is not None else {})}
        return values


class ImportForm(FlaskForm):
    file = FileField(
        "Footprint file (Boavizta CSV)",
        validators=[FileRequired("Choose a file."), FileAllowed(["csv"], "A .csv file, please.")],
    )


class GridFactorsUploadForm(FlaskForm):
    file = FileField(
        "Grid factor file (CSV)",
        validators=[FileRequired("Choose a file."), FileAllowed(["csv"], "A .csv file, please.")],
    )
    note = StringField("Note", validators=[Optional(), Length(max=500)])


# -- plans and metrics ---------------------------------------------------------------------------------


class TierForm(Form):
    up_to = _decimal("Up to", 6)
    unit_amount = _decimal("Unit amount", money.UNIT_AMOUNT_MAX_DECIMALS)
    flat_amount = _decimal("Flat amount", money.UNIT_AMOUNT_MAX_DECIMALS)

    def filled(self) -> bool:
        return any(field.raw_data and field.raw_data[0].strip() for field in self)


class ChargeForm(Form):
    metric = SelectField("Metric")
    model = SelectField("Pricing model", choices=options([("", "Choose"), *[(m, m) for m in PRICING_MODELS]]))
    unit_amount = _decimal("Unit amount", money.UNIT_AMOUNT_MAX_DECIMALS)
    package_size = IntegerField(
        "Package size", validators=[Optional(), NumberRange(min=1, max=1_000_000_000)]
    )
    tiers = FieldList(FormField(TierForm), min_entries=TIER_ROWS, max_entries=TIER_ROWS)

    def filled(self) -> bool:
        return bool(
            self.metric.data
            or self.model.data
            or self.unit_amount.data is not None
            or self.package_size.data is not None
            or any(tier.form.filled() for tier in self.tiers)
        )

    def show_tiers(self) -> bool:
        """Whether the form opens this charge's tier rows: tiered, filled in, or with errors to fix."""
        return self.model.data in ("graduated", "volume") or any(
            tier.form.filled() or any(field.errors for field in tier.form) for tier in self.tiers
        )


class PlanForm(FlaskForm):
    code = _code("Code")
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip])
    currency = SelectField("Currency", choices=options(_CURRENCIES), default="EUR")
    term_months = IntegerField("Term (months)", default=36, validators=[InputRequired(), NumberRange(1, 120)])
    refresh_cycle_months = IntegerField(
        "Refresh cycle (months)", default=36, validators=[InputRequired(), NumberRange(1, 120)]
    )
    minimum_monthly_amount = _decimal("Minimum per month", 2)
    device_unit_amount = _decimal("Per device per month", money.UNIT_AMOUNT_MAX_DECIMALS)
    device_model_sku = _code("Only for the device model (SKU)", required=False)
    charges = FieldList(FormField(ChargeForm), min_entries=CHARGE_ROWS, max_entries=CHARGE_ROWS)

    def prepare(self, metric_codes: list[str]) -> None:
        """Metric choices, and labels that say which row a field belongs to (for screen readers too)."""
        for number, entry in enumerate(self.charges, start=1):
            charge = entry.form
            charge.metric.choices = options(
                [("", "None (row unused)"), *[(code, code) for code in metric_codes]]
            )
            for field in (charge.metric, charge.model, charge.unit_amount, charge.package_size):
                field.label.text = f"Charge {number}: {field.label.text}"
            for tier_number, tier in enumerate(charge.tiers, start=1):
                for field in tier.form:
                    field.label.text = f"Charge {number}, tier {tier_number}: {field.label.text}"


class MetricForm(FlaskForm):
    code = _code("Code")
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip])
    aggregation = SelectField("Aggregation", choices=options([(a, a) for a in AGGREGATIONS]))
    field = _code("Property (unique_count only)", required=False)
