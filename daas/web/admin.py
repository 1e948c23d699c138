"""Admin pages: an overview of the platform, customers, users and their API tokens, the device catalog
(with the footprint import) and price plans with their metrics.

Views parse a form, call the services the API calls (customers, auth, catalog, pricing) and say what
happened; the few reads the services lack (a name search, counts for the overview) are the small query
functions at the end of this module.
"""

from __future__ import annotations

import functools
import io
from decimal import Decimal
from typing import Any

import pycountry
from flask import Blueprint, current_app, redirect, render_template, request, url_for
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
    Regexp,
    StopValidation,
    ValidationError,
)

from daas.auth import services as auth
from daas.auth.models import ROLES
from daas.catalog import services as catalog_services
from daas.catalog.footprints import FormatError, open_rows, read_rows
from daas.catalog.models import CATEGORIES
from daas.core import money
from daas.customers import services as customer_services
from daas.customers.services import customer_names
from daas.errors import Invalid
from daas.pricing import services as pricing
from daas.pricing.models import AGGREGATIONS, PRICING_MODELS, Plan
from daas.web import admin_queries as queries
from daas.web.pages import FilterForm, add_navigation, audience, carry_out, options, pager, principal
from daas.web.security import secure_page

blp = Blueprint("admin", __name__, url_prefix="/admin")
blp.after_request(secure_page)
add_navigation(
    "admin",
    ("admin.home", "Overview"),
    ("admin.customers", "Customers"),
    ("admin.users", "Users"),
    ("admin.catalog", "Catalog"),
    ("admin.plans", "Plans"),
)

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"
CODE_MESSAGE = "Letters, digits and . _ - / only, starting with a letter or digit."
CHARGE_ROWS = 3  # metered charges a new plan may have on the form
TIER_ROWS = 4  # tiers per metered charge


@blp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "unit_amount": money.format_unit_amount,
        "quantity": lambda value: f"{Decimal(value).normalize():f}",
        "country_name": _country_name,
    }


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _none_if_blank(value: Any) -> Any:
    return None if value in ("", None) else value


class Exact:
    """An exact decimal typed by a person: finite, within bounds, with at most `places` decimals."""

    def __init__(self, places: int, minimum: Decimal | int = 0, maximum: Decimal | int | None = None) -> None:
        self.places, self.minimum = places, Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if value is None:
            return
        if not value.is_finite() or value.adjusted() >= 12:
            raise StopValidation("Not a number daas can keep.")
        if money.decimal_places(value) > self.places:
            raise ValidationError(f"At most {self.places} decimals.")
        if value < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"Must be at most {self.maximum}.")


def _code(label: str, max_length: int = 64, required: bool = True) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired() if required else Optional(),
            Length(max=max_length),
            Regexp(CODE_PATTERN, message=CODE_MESSAGE),
        ],
        filters=[_strip],
    )


# -- overview ------------------------------------------------------------------------------------------


@blp.get("")
@audience("admin")
def home() -> Any:
    return render_template("admin/home.html", counts=queries.overview_counts())


# -- customers -----------------------------------------------------------------------------------------


@functools.cache
def _country_choices() -> list[SelectChoice]:
    countries = sorted(pycountry.countries, key=lambda country: country.name)
    return options([("", "Choose a country"), *[(c.alpha_2, f"{c.name} ({c.alpha_2})") for c in countries]])


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


_CURRENCIES = [(code, code) for code in sorted(money.CURRENCY_EXPONENTS)]


class CustomerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    country = SelectField("Country", validators=[DataRequired(message="Choose the customer's country.")])
    vat_id = StringField("VAT id", validators=[Optional(), Length(min=2, max=20)], filters=[_strip])
    currency = SelectField("Currency", choices=options(_CURRENCIES), default="EUR")
    billing_email = EmailField(
        "Billing e-mail", validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip]
    )
    payment_terms_days = IntegerField(
        "Payment terms (days)", validators=[Optional(), NumberRange(min=0, max=365)]
    )
    pickup_region = _code("Pickup region", max_length=32, required=False)
    pickup_address = TextAreaField(
        "Pickup address", validators=[Optional(), Length(max=500)], filters=[_strip]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices()

    def values(self) -> dict[str, Any]:
        values = {
            name: _none_if_blank(getattr(self, name).data)
            for name in ("name", "country", "vat_id", "currency", "billing_email", "pickup_region")
        }
        values["pickup_address"] = _none_if_blank(self.pickup_address.data)
        if self.payment_terms_days.data is not None:
            values["payment_terms_days"] = self.payment_terms_days.data
        return values


class CustomerSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name contains", validators=[Optional(), Length(max=200)], filters=[_strip])


@blp.get("/customers", endpoint="customers")
@audience("admin")
def customers_list() -> Any:
    search = CustomerSearchForm(request.args)
    query = search.q.data if search.validate() else None
    page = pager(25)
    rows, total = queries.search_customers(query, page.offset, page.size)
    return render_template(
        "admin/customers.html", customers=rows, search=search, query=query, pager=page.with_total(total)
    )


@blp.route("/customers/new", methods=["GET", "POST"])
@audience("admin")
def customers_new() -> Any:
    form = CustomerForm()
    if request.method == "GET":
        form.payment_terms_days.data = current_app.config["DAAS_DEFAULT_PAYMENT_TERMS_DAYS"]
    if form.validate_on_submit():
        terms = current_app.config["DAAS_DEFAULT_PAYMENT_TERMS_DAYS"]
        customer = carry_out(
            form,
            lambda: customer_services.create_customer(form.values(), terms),
            lambda c: f"Customer {c.name} created (number {c.id}). Add a user for it below.",
        )
        if customer is not None:
            return redirect(url_for("admin.customers_edit", customer_id=customer.id))
    return _form_page("admin/customer_form.html", form=form, customer=None)


@blp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@audience("admin")
def customers_edit(customer_id: int) -> Any:
    customer = customer_services.get_customer(customer_id)
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        changes = form.values()
        changes.setdefault("payment_terms_days", customer.payment_terms_days)
        changed = carry_out(
            form,
            lambda: customer_services.update_customer(customer_id, changes),
            lambda c: f"Customer {c.name} saved.",
        )
        if changed is not None:
            return redirect(url_for("admin.customers_edit", customer_id=customer_id))
    return _form_page(
        "admin/customer_form.html", form=form, customer=customer, users=queries.users_of_customer(customer_id)
    )


# -- users and tokens ----------------------------------------------------------------------------------


class UserForm(FlaskForm):
    # The address and password are checked by the one rule of daas.auth.rules (in auth.create_user), whose
    # message lands beside the field: the same words as the API and the command line.
    email = EmailField("E-mail", validators=[DataRequired()], filters=[_strip])
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
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)], filters=[_strip])


@blp.get("/users")
@audience("admin")
def users() -> Any:
    page = pager(25)
    rows, total = auth.list_users(page.offset, page.size)
    names = customer_names({user.customer_id for user in rows if user.customer_id})
    return render_template("admin/users.html", users=rows, names=names, pager=page.with_total(total))


@blp.route("/users/new", methods=["GET", "POST"])
@audience("admin")
def users_new() -> Any:
    form = UserForm()
    form.customer_id.choices = options([("", "None (staff)"), *queries.customer_choices()])
    if request.method == "GET" and request.args.get("customer_id", "").isdigit():
        form.customer_id.data = int(request.args["customer_id"])
    if form.validate_on_submit():
        user = carry_out(
            form,
            lambda: auth.create_user(
                form.email.data, form.role.data, form.customer_id.data, form.password.data or None
            ),
            lambda u: (
                f"User {u.email} created with role {u.role}."
                + ("" if form.password.data else " Without a password it can only use API tokens.")
            ),
        )
        if user is not None:
            return redirect(url_for("admin.users_show", user_id=user.id))
    return _form_page("admin/user_form.html", form=form)


@blp.get("/users/<int:user_id>")
@audience("admin")
def users_show(user_id: int) -> Any:
    return _user_page(user_id, TokenForm())


@blp.post("/users/<int:user_id>/tokens")
@audience("admin")
def users_tokens(user_id: int) -> Any:
    auth.get_user(user_id)  # 404 before anything else
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = carry_out(
            form,
            lambda: auth.create_token(user_id, form.name.data),
            lambda result: f"Token {result[0].name} created. Copy it now: it is not shown again.",
        )
    if created is None:
        return _user_page(user_id, form), 422
    # The secret is shown in this answer only (never put in the session or a redirect) and never cached.
    response = current_app.make_response(_user_page(user_id, TokenForm(formdata=None), created[1]))
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@audience("admin")
def users_revoke(user_id: int, token_id: int) -> Any:
    carry_out(
        None,
        lambda: auth.revoke_token(user_id, token_id),
        lambda token: f"Token {token.name} ({token.prefix}…) revoked: it no longer works.",
    )
    return redirect(url_for("admin.users_show", user_id=user_id))


@blp.post("/users/<int:user_id>/deactivate")
@audience("admin")
def users_deactivate(user_id: int) -> Any:
    carry_out(
        None,
        lambda: auth.deactivate_user(user_id, principal().user_id),
        lambda user: f"{user.email} is deactivated: signed out everywhere, and no API token of theirs works.",
    )
    return redirect(url_for("admin.users_show", user_id=user_id))


@blp.post("/users/<int:user_id>/reactivate")
@audience("admin")
def users_reactivate(user_id: int) -> Any:
    carry_out(
        None,
        lambda: auth.reactivate_user(user_id),
        lambda user: f"{user.email} is active again: they may sign in and their unrevoked tokens work.",
    )
    return redirect(url_for("admin.users_show", user_id=user_id))


def _user_page(user_id: int, form: TokenForm, new_token: str | None = None) -> str:
    user = auth.get_user(user_id)
    customer = customer_services.get_customer(user.customer_id) if user.customer_id else None
    return render_template(
        "admin/user.html", user=user, customer=customer, form=form, new_token=new_token, tokens=user.tokens
    )


# -- catalog -------------------------------------------------------------------------------------------


_CATEGORY_CHOICES = [(category, category) for category in CATEGORIES]


class CatalogFilterForm(FilterForm):
    category = SelectField("Category", choices=options([("", "All categories"), *_CATEGORY_CHOICES]))


class DeviceModelForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    category = SelectField("Category", choices=options(_CATEGORY_CHOICES))
    manufacturer = StringField("Manufacturer", validators=[DataRequired(), Length(max=100)], filters=[_strip])
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
    source = StringField("Source", validators=[Optional(), Length(max=500)], filters=[_strip])

    def values(self) -> dict[str, Any]:
        names = ("name", "category", "manufacturer", "weight_kg", "embodied_co2e_kg", "use_kwh_per_year")
        values = {name: getattr(self, name).data for name in names}
        values["expected_lifetime_months"] = self.expected_lifetime_months.data
        values["source"] = _none_if_blank(self.source.data)
        return values


class ImportForm(FlaskForm):
    file = FileField(
        "Footprint file (Boavizta CSV)",
        validators=[FileRequired("Choose a file."), FileAllowed(["csv"], "A .csv file, please.")],
    )


@blp.get("/catalog", endpoint="catalog")
@audience("admin")
def catalog_list() -> Any:
    filters = CatalogFilterForm()
    category = filters.category.data if filters.validate() else None
    page = pager(25)
    rows, total = catalog_services.list_device_models(category or None, None, page.offset, page.size)
    return render_template(
        "admin/catalog.html", models=rows, filters=filters, category=category, pager=page.with_total(total)
    )


@blp.route("/catalog/<int:model_id>", methods=["GET", "POST"])
@audience("admin")
def catalog_edit(model_id: int) -> Any:
    model = catalog_services.get_device_model(model_id)
    form = DeviceModelForm(obj=model)
    if form.validate_on_submit():
        changed = carry_out(
            form,
            lambda: catalog_services.update_device_model(model_id, form.values()),
            lambda m: f"Device model {m.sku} saved.",
        )
        if changed is not None:
            return redirect(url_for("admin.catalog_edit", model_id=model_id))
    return _form_page("admin/device_model.html", form=form, model=model)


@blp.route("/catalog/import", methods=["GET", "POST"])
@audience("admin")
def catalog_import() -> Any:
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        stream = _text_stream(form)
        if stream is not None:
            report = carry_out(
                form,
                lambda: catalog_services.import_footprints(read_rows(stream)),
                lambda r: (
                    f"Import done: {r.kept} models kept ({r.created} new, {r.updated} updated, "
                    f"{r.unchanged} unchanged), {len(r.skipped)} rows skipped."
                ),
            )
    # The report is the answer to the upload (a large file's skipped rows would not fit in a session).
    status = 422 if request.method == "POST" and report is None else 200
    return render_template("admin/catalog_import.html", form=form, report=report), status


def _text_stream(form: ImportForm) -> Any:
    """The uploaded file as rows of the footprint format, or None with the reason beside the field. The app
    refuses bodies above MAX_CONTENT_LENGTH (413) before this reads them."""
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append("Not a UTF-8 text file.")
        return None
    try:
        return open_rows(io.StringIO(text, newline=""))
    except FormatError as error:
        form.file.errors.append(f"This is {error}.")
        return None


# -- plans and metrics ---------------------------------------------------------------------------------


def _decimal(label: str, places: int, maximum: Decimal | int | None = None) -> DecimalField:
    return DecimalField(label, places=None, validators=[Optional(), Exact(places, 0, maximum)])


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
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
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
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[_strip])
    aggregation = SelectField("Aggregation", choices=options([(a, a) for a in AGGREGATIONS]))
    field = _code("Property (unique_count only)", required=False)


@blp.get("/plans")
@audience("admin")
def plans() -> Any:
    page = pager(10)
    rows, total = pricing.list_plans(None, page.offset, page.size)
    return render_template("admin/plans.html", plans=rows, pager=page.with_total(total))


@blp.route("/plans/new", methods=["GET", "POST"])
@audience("admin")
def plans_new() -> Any:
    form = PlanForm()
    form.prepare(queries.metric_codes())
    if form.validate_on_submit():
        values, rows = _plan_values(form)
        if values is not None:
            plan = carry_out(
                form,
                lambda: _create_plan(form, values, rows),
                lambda p: f"Plan {p.code} created with {len(p.charges)} charge(s).",
            )
            if plan is not None:
                return redirect(url_for("admin.plans"))
    return _form_page("admin/plan_form.html", form=form)


@blp.route("/plans/metrics", methods=["GET", "POST"])
@audience("admin")
def plans_metrics() -> Any:
    form = MetricForm()
    if form.validate_on_submit():
        values = {
            "code": form.code.data,
            "name": form.name.data,
            "aggregation": form.aggregation.data,
            "field": _none_if_blank(form.field.data),
        }
        metric = carry_out(form, lambda: pricing.create_metric(values), lambda m: f"Metric {m.code} created.")
        if metric is not None:
            return redirect(url_for("admin.plans_metrics"))
    page = pager(50)
    rows, total = pricing.list_metrics(page.offset, page.size)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/metrics.html", form=form, metrics=rows, pager=page.with_total(total)
    ), status


# Which form row each of a plan's charges (and tiers) came from: None is the device charge.
Rows = list[tuple[int | None, list[int]]]


def _plan_values(form: PlanForm) -> tuple[dict[str, Any] | None, Rows]:
    """The plan as `create_plan` takes it, from the filled rows of the form; None when the form lacks
    something the service cannot name a field for (a tier without its unit amount, no charge at all)."""
    charges: list[dict[str, Any]] = []
    rows: Rows = []
    complete = True
    if form.device_unit_amount.data is not None or form.device_model_sku.data:
        charges.append(
            {
                "kind": "device_monthly",
                "unit_amount": form.device_unit_amount.data,
                "device_model_sku": _none_if_blank(form.device_model_sku.data),
            }
        )
        rows.append((None, []))
    for index, entry in enumerate(form.charges):
        charge = entry.form
        if not charge.filled():
            continue
        tiers, tier_rows = [], []
        for tier_index, tier in enumerate(charge.tiers):
            if not tier.form.filled():
                continue
            if tier.form.unit_amount.data is None:
                tier.form.unit_amount.errors = [
                    *tier.form.unit_amount.errors,
                    "A tier needs its unit amount.",
                ]
                complete = False
            tiers.append(
                {
                    "up_to": tier.form.up_to.data,
                    "unit_amount": tier.form.unit_amount.data,
                    "flat_amount": tier.form.flat_amount.data,
                }
            )
            tier_rows.append(tier_index)
        charges.append(
            {
                "kind": "metered",
                "metric": charge.metric.data or None,
                "model": charge.model.data or None,
                "unit_amount": charge.unit_amount.data,
                "package_size": charge.package_size.data,
                "tiers": tiers or None,
            }
        )
        rows.append((index, tier_rows))
    if not charges:
        form.device_unit_amount.errors = [
            *form.device_unit_amount.errors,
            "A plan needs a charge: an amount per device, or a metered charge below.",
        ]
        complete = False
    if not complete:
        return None, rows
    values = {
        "code": form.code.data,
        "name": form.name.data,
        "currency": form.currency.data,
        "term_months": form.term_months.data,
        "refresh_cycle_months": form.refresh_cycle_months.data,
        "minimum_monthly_amount": form.minimum_monthly_amount.data,
        "charges": charges,
    }
    return values, rows


def _create_plan(form: PlanForm, values: dict[str, Any], rows: Rows) -> Plan:
    """`create_plan`, with the errors it finds in charges and tiers put beside the rows they came from."""
    try:
        return pricing.create_plan(values)
    except Invalid as error:
        rest = {key: messages for key, messages in error.errors.items() if key != "charges"}
        for index, problems in (error.errors.get("charges") or {}).items():
            _place_charge_errors(form, rows[int(index)], problems)
        raise Invalid("The plan is not valid: see the messages beside the fields.", errors=rest) from error


def _place_charge_errors(form: PlanForm, row: tuple[int | None, list[int]], problems: dict[str, Any]) -> None:
    row_index, tier_rows = row
    for name, messages in problems.items():
        if row_index is None:
            target = form.device_model_sku if name == "device_model_sku" else form.device_unit_amount
            _add_errors(target, messages)
            continue
        charge = form.charges[row_index].form
        if name == "tiers" and isinstance(messages, dict):
            for tier_index, tier_problems in messages.items():
                tier = charge.tiers[tier_rows[int(tier_index)]].form
                for field_name, field_messages in tier_problems.items():
                    _add_errors(getattr(tier, field_name, tier.up_to), field_messages)
        elif name == "tiers":
            _add_errors(charge.tiers[0].form.unit_amount, [f"Tiers: {m}" for m in messages])
        else:
            _add_errors(getattr(charge, name, charge.model), messages)


def _add_errors(field: Any, messages: Any) -> None:
    field.errors = [*field.errors, *(messages if isinstance(messages, list | tuple) else [messages])]


def _form_page(template: str, **context: Any) -> tuple[str, int]:
    """A form page: 422 when it comes back to a POST with errors to fix."""
    return render_template(template, **context), 422 if request.method == "POST" else 200
