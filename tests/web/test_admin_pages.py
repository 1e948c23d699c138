"""Admin pages: overview, customers, users and tokens, catalog with its import, plans and metrics."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from daas.auth.models import ApiToken, User
from daas.auth.services import authenticate_token
from daas.catalog.models import DeviceModel
from daas.customers.models import Customer
from daas.extensions import db
from daas.pricing.models import Metric, Plan
from daas.web.admin.queries import search_customers
from tests import factories
from tests.web.helpers import post_form, signed_in

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "boavizta-sample.csv"


@pytest.fixture
def admin(app, database):
    client, _ = signed_in(app, "admin")
    db.session.commit()
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def error_beside(response, field_id: str) -> str:
    """The message shown beside a field (the `<p id="<field>-error">` that `ui.field` renders)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', text(response))
    assert match, f"no error beside {field_id}"
    return match.group(1)


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


CUSTOMER_FORM = {
    "name": "Rotterdam Haven Logistiek B.V.",
    "country": "NL",
    "vat_id": "",
    "currency": "EUR",
    "billing_email": "ap@haven.example",
    "payment_terms_days": "14",
    "pickup_region": "NL-RTM",
    "pickup_address": "Waalhaven 1, Rotterdam",
    "address_line1": "Waalhaven Oostzijde 1",
    "postcode": "3089 JH",
    "city": "Rotterdam",
}


# -- access and overview --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "logistics", "customer"])
def test_only_admins_see_the_admin_pages(app, database, role) -> None:
    customer_id = factories.customer().id if role == "customer" else None
    client, _ = signed_in(app, role, customer_id)
    for url in ("/admin", "/admin/customers", "/admin/users", "/admin/catalog", "/admin/plans"):
        assert client.get(url).status_code == 403, url


def test_the_overview_counts_what_the_platform_holds(admin) -> None:
    customer = factories.customer()
    factories.user("customer", customer.id)
    factories.device()  # a device model and a device in stock
    factories.plan()
    page = admin.get("/admin")
    assert page.status_code == 200
    body = text(page)
    customers, models = count(Customer), count(DeviceModel)
    assert re.search(rf'<span class="value">{customers}</span><span class="label">customers</span>', body)
    assert re.search(rf'<span class="value">{models}</span><span class="label">device models</span>', body)
    assert re.search(r'<th scope="row">customer</th><td class="num">1</td>', body)
    assert re.search(r'in stock</span></th><td class="num">1</td>', body)
    assert 'href="/finance"' in body and 'href="/logistics"' in body
    assert 'aria-current="page">Overview' in body


# -- customers ------------------------------------------------------------------------------------------


def test_customers_are_searched_by_name_and_paginated(admin) -> None:
    for n in range(27):
        factories.customer(name=f"Zebra Works {n:02d}")
    factories.customer(name="Antwerp 100% Diamonds_NV")
    first = text(admin.get("/admin/customers?q=zebra"))
    assert "Page 1 of 2 (27 in all)" in first and "Zebra Works 00" in first and "Antwerp" not in first
    second = text(admin.get("/admin/customers?q=zebra&page=2"))
    assert "Zebra Works 26" in second and "Zebra Works 00" not in second
    assert "Antwerp 100% Diamonds_NV" in text(admin.get("/admin/customers?q=100%25"))
    assert search_customers("_nv")[1] == 1  # LIKE wildcards are taken literally
    assert "No customer&#39;s name contains" in text(admin.get("/admin/customers?q=nobody-like-this"))


def test_an_admin_creates_a_customer(admin) -> None:
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "vat_id": "nl 820646660 b01"})
    assert response.status_code == 302
    customer = db.session.scalar(select(Customer).where(Customer.name == CUSTOMER_FORM["name"]))
    assert response.headers["Location"] == f"/admin/customers/{customer.id}"
    assert (customer.vat_id, customer.payment_terms_days, customer.pickup_region) == (
        "NL820646660B01",
        14,
        "NL-RTM",
    )
    page = text(admin.get(response.headers["Location"]))
    assert f"Customer {CUSTOMER_FORM['name']} created" in page
    assert "Nobody signs in for this customer yet." in page


def test_payment_terms_default_to_the_configured_days(app, admin) -> None:
    assert 'value="30"' in text(admin.get("/admin/customers/new"))
    post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "payment_terms_days": ""})
    customer = db.session.scalar(select(Customer).where(Customer.name == CUSTOMER_FORM["name"]))
    assert customer.payment_terms_days == app.config["DAAS_DEFAULT_PAYMENT_TERMS_DAYS"]


def test_a_bad_vat_id_or_country_is_shown_beside_its_field(admin) -> None:
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "vat_id": "NL123"})
    assert response.status_code == 422
    assert error_beside(response, "vat_id") == "Not a valid EU VAT id (format or check digits)."
    assert 'value="NL123"' in text(response)  # what was typed stays
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "vat_id": "DE136695976"})
    assert error_beside(response, "vat_id") == "An EU VAT id of a customer in NL starts with NL."
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "country": "XX"})
    assert error_beside(response, "country") == "Not a valid choice."
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "billing_email": "nope"})
    assert error_beside(response, "billing_email") == "Invalid email address."
    assert count(Customer, Customer.name == CUSTOMER_FORM["name"]) == 0


def test_an_admin_edits_a_customer(admin) -> None:
    customer = factories.customer(name="Gent Print NV", country="BE")
    url = f"/admin/customers/{customer.id}"
    form = {**CUSTOMER_FORM, "name": "Gent Print & Co NV", "country": "BE", "vat_id": "BE0403019261"}
    response = post_form(admin, url, form)
    assert response.status_code == 302
    db.session.refresh(customer)
    assert (customer.name, customer.vat_id, customer.billing_email) == (
        "Gent Print & Co NV",
        "BE0403019261",
        "ap@haven.example",
    )
    assert "Customer Gent Print &amp; Co NV saved." in text(admin.get(url))


def test_a_customer_with_contracts_keeps_its_currency(admin) -> None:
    customer = factories.customer()
    factories.contract(customer.id)
    db.session.commit()  # a failed form rolls the request's changes back, not the test's data
    url = f"/admin/customers/{customer.id}"
    response = post_form(admin, url, {**CUSTOMER_FORM, "currency": "USD"})
    assert response.status_code == 422
    assert error_beside(response, "currency") == "The customer has contracts; their plans fix its currency."
    db.session.refresh(customer)
    assert customer.currency == "EUR" and customer.name != CUSTOMER_FORM["name"]


def test_the_customer_page_shows_what_its_invoices_say_and_what_peppol_lacks(admin) -> None:
    # From before billing addresses: the migration made its pickup address the first address line.
    customer = factories.customer(name="Rotterdam Rederij N.V.", address_line1="Wilhelminakade 100")
    contract = factories.contract(customer.id)
    factories.contract(customer.id).purchase_order = "PO-2026-118"
    db.session.commit()
    page = text(admin.get(f"/admin/customers/{customer.id}"))
    missing = "Peppol id, postcode, city, registration id"
    assert re.search(rf'id="peppol-status">Not Peppol-ready: .* until it has {missing}\.</p>', page)
    assert 'value="Wilhelminakade 100"' in page
    assert f'<th scope="row">{contract.reference}</th>' in page and "PO-2026-118" in page

    form = {
        **CUSTOMER_FORM,
        "name": "Rotterdam Rederij N.V.",
        "address_line1": "Wilhelminakade 100",
        "address_line2": "Toren B",
        "registration_id": "0106:24123456",
        "peppol_id": "0106:24123456",
        "buyer_reference": "CRED-7",
        "document_language": "en",
    }
    assert post_form(admin, f"/admin/customers/{customer.id}", form).status_code == 302
    db.session.refresh(customer)
    assert (customer.address_line2, customer.postcode, customer.city) == ("Toren B", "3089 JH", "Rotterdam")
    assert (customer.peppol_id, customer.buyer_reference, customer.document_language) == (
        "0106:24123456",
        "CRED-7",
        "en",
    )
    page = text(admin.get(f"/admin/customers/{customer.id}"))
    assert "Peppol-ready: its invoices can be sent over Peppol to 0106:24123456." in page
    assert '<option selected value="en">English</option>' in page
    # Its country's language again.
    post_form(admin, f"/admin/customers/{customer.id}", {**form, "document_language": ""})
    db.session.refresh(customer)
    assert customer.document_language is None


def test_e_invoicing_mistakes_are_shown_beside_their_fields(admin) -> None:
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "vat_id": "NL004495445B01"})
    assert response.status_code == 422
    issuers = "This is the issuer's own VAT id; a customer has a VAT id of its own."
    assert unescape(error_beside(response, "vat_id")) == issuers
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "peppol_id": "9999:123"})
    assert unescape(error_beside(response, "peppol_id")).startswith("Unknown scheme '9999'")
    response = post_form(
        admin, "/admin/customers/new", {**CUSTOMER_FORM, "registration_id": "0208:0403019261"}
    )
    assert error_beside(response, "registration_id").startswith("A Dutch customer is registered by its KvK")
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "postcode": ""})
    assert error_beside(response, "postcode") == "This field is required."
    response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, "document_language": "es"})
    assert error_beside(response, "document_language") == "Not a valid choice."
    assert count(Customer, Customer.name == CUSTOMER_FORM["name"]) == 0


def test_an_unknown_customer_is_a_404_page(admin) -> None:
    response = admin.get("/admin/customers/999999")
    assert response.status_code == 404 and "There is no such page" in text(response)


# -- users and tokens -----------------------------------------------------------------------------------


def test_an_admin_creates_a_customer_user(admin) -> None:
    customer = factories.customer(name="Utrecht Zorg B.V.")
    assert "Utrecht Zorg B.V. (number" in text(admin.get("/admin/users/new"))
    assert f'<option selected value="{customer.id}">' in text(
        admin.get(f"/admin/users/new?customer_id={customer.id}")
    )
    response = post_form(
        admin,
        "/admin/users/new",
        {"email": "IT@Zorg.example", "role": "customer", "customer_id": customer.id, "password": ""},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "it@zorg.example"))
    assert (user.role, user.customer_id, user.password_hash) == ("customer", customer.id, None)
    page = text(admin.get(response.headers["Location"]))
    assert "User it@zorg.example created with role customer. Without a password" in page
    assert "Utrecht Zorg B.V." in page
    listing = text(admin.get("/admin/users"))
    assert (
        "it@zorg.example" in listing and f'href="/admin/customers/{customer.id}">Utrecht Zorg B.V.' in listing
    )


def test_user_errors_are_shown_beside_their_fields(admin) -> None:
    factories.user("finance", email="taken@example.com")
    db.session.commit()
    response = post_form(
        admin, "/admin/users/new", {"email": "new@example.com", "role": "customer", "customer_id": ""}
    )
    assert response.status_code == 422
    assert error_beside(response, "customer_id") == "A customer user needs the customer it belongs to."
    response = post_form(admin, "/admin/users/new", {"email": "taken@example.com", "role": "finance"})
    assert error_beside(response, "email") == "Already exists."
    response = post_form(
        admin, "/admin/users/new", {"email": "x@example.com", "role": "finance", "password": "short"}
    )
    assert error_beside(response, "password") == "At least 10 characters, at most 200."
    response = post_form(
        admin, "/admin/users/new", {"email": "y@example.com", "role": "finance", "customer_id": "999999"}
    )
    assert error_beside(response, "customer_id") == "Choose a customer from the list."
    assert count(User, User.email.in_(["new@example.com", "x@example.com", "y@example.com"])) == 0


def test_a_token_is_shown_once_and_works_until_revoked(admin) -> None:
    user = factories.user("logistics")
    url = f"/admin/users/{user.id}"
    assert "No API tokens yet." in text(admin.get(url))
    response = post_form(admin, f"{url}/tokens", {"name": "WMS scanner"}, form_page=url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(
        r'id="new-token" class="token" type="text" readonly value="(daas_[^"]+)"', text(response)
    )
    assert secret, "the token is not on the page"
    assert "Token WMS scanner created. Copy it now" in text(response)
    assert authenticate_token(secret.group(1)).email == user.email
    again = text(admin.get(url))
    assert secret.group(1) not in again and "WMS scanner" in again  # shown once only
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert f"{token.prefix}…" in again
    response = post_form(admin, f"{url}/tokens/{token.id}/revoke", {}, form_page=url)
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert authenticate_token(secret.group(1)) is None


def test_revoking_says_so_and_a_token_needs_a_name(admin) -> None:
    user = factories.user("finance")
    url = f"/admin/users/{user.id}"
    post_form(admin, f"{url}/tokens", {"name": "ERP"}, form_page=url)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    response = post_form(admin, f"{url}/tokens/{token.id}/revoke", {}, form_page=url, follow_redirects=True)
    assert f"Token ERP ({token.prefix}…) revoked: it no longer works." in text(response)
    assert "Revoke ERP" not in text(response)
    response = post_form(admin, f"{url}/tokens", {"name": "  "}, form_page=url)
    assert response.status_code == 422 and error_beside(response, "name") == "This field is required."
    other = factories.user("finance")
    db.session.commit()
    response = post_form(admin, f"/admin/users/{other.id}/tokens/{token.id}/revoke", {}, form_page=url)
    assert response.status_code == 302  # another user's token is not found: said, and nothing changes
    assert f"No token {token.id} for user {other.id}." in text(admin.get(f"/admin/users/{other.id}"))


# -- catalog --------------------------------------------------------------------------------------------


def test_the_catalog_is_filtered_by_category(admin) -> None:
    factories.device_model(sku="CAT-LAPTOP-1", category="laptop")
    factories.device_model(sku="CAT-MONITOR-1", category="monitor", name="P2422H", weight_kg=Decimal("4.3"))
    laptops = text(admin.get("/admin/catalog?category=laptop"))
    assert "CAT-LAPTOP-1" in laptops and "CAT-MONITOR-1" not in laptops
    monitors = text(admin.get("/admin/catalog?category=monitor"))
    assert "CAT-MONITOR-1" in monitors and "4.300" in monitors and "CAT-LAPTOP-1" not in monitors
    assert "No dock models in the catalog." in text(admin.get("/admin/catalog?category=dock"))


def test_an_admin_corrects_a_model_s_figures(admin) -> None:
    model = factories.device_model(sku="EDIT-ME")
    url = f"/admin/catalog/{model.id}"
    form = {
        "name": "Latitude 5430 (2022)",
        "category": "laptop",
        "manufacturer": "Dell",
        "weight_kg": "1.365",
        "embodied_co2e_kg": "260",
        "use_kwh_per_year": "0",
        "expected_lifetime_months": "60",
        "source": "",
    }
    response = post_form(admin, url, form)
    assert response.status_code == 302
    db.session.refresh(model)
    assert (model.weight_kg, model.embodied_co2e_kg, model.use_kwh_per_year) == (
        Decimal("1.365"),
        Decimal("260"),
        Decimal("0"),
    )
    assert model.expected_lifetime_months == 60 and model.source is None
    response = post_form(admin, url, {**form, "weight_kg": "1.3651", "embodied_co2e_kg": "NaN"})
    assert response.status_code == 422
    assert error_beside(response, "weight_kg") == "At most 3 decimals."
    assert error_beside(response, "embodied_co2e_kg") == "Not a number daas can keep."
    response = post_form(admin, url, {**form, "weight_kg": "-1"})
    assert error_beside(response, "weight_kg") == "Must be at least 0."


def test_an_admin_sets_a_model_s_list_value_in_eur_and_its_floor_share(admin) -> None:
    model = factories.device_model(
        sku="BUY-ME", list_values={"EUR": Decimal("1250.00"), "USD": Decimal("1400.00")}
    )
    url = f"/admin/catalog/{model.id}"
    page = text(admin.get(url))
    assert "1250.00" in page and "1,400.00 USD" in page  # the form shows EUR, the hint the others
    form = {
        "name": model.name,
        "category": "laptop",
        "manufacturer": "Dell",
        "weight_kg": "1.36",
        "embodied_co2e_kg": "252.84",
        "use_kwh_per_year": "23.36",
        "expected_lifetime_months": "48",
        "source": "",
        "list_value_eur": "1199.90",
        "floor_share": "0.15",
    }
    assert post_form(admin, url, form).status_code == 302
    db.session.expire_all()
    model = db.session.get(DeviceModel, model.id)
    assert model.list_values == {"EUR": Decimal("1199.90"), "USD": Decimal("1400.00")}
    assert model.floor_share == Decimal("0.1500")
    response = post_form(admin, url, {**form, "list_value_eur": "0", "floor_share": "1.2"})
    assert response.status_code == 422
    assert error_beside(response, "list_value_eur") == "Must be more than 0."
    assert error_beside(response, "floor_share") == "Must be at most 1."
    assert post_form(admin, url, {**form, "list_value_eur": "", "floor_share": ""}).status_code == 302
    db.session.expire_all()
    model = db.session.get(DeviceModel, model.id)
    assert (model.list_values, model.floor_share) == ({"USD": Decimal("1400.00")}, None)


def test_a_footprint_file_is_imported_with_its_report(admin) -> None:
    before = count(DeviceModel)
    response = post_form(
        admin,
        "/admin/catalog/import",
        {"file": (io.BytesIO(SAMPLE.read_bytes()), "boavizta-sample.csv")},
        form_page="/admin/catalog/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    body = text(response)
    assert "Import done: 14 models kept (14 new, 0 updated, 0 unchanged), 12 rows skipped." in body
    assert '<th scope="row">weight missing</th><td class="num">3</td>' in body
    assert "category not rented (Server)" in body
    assert count(DeviceModel) == before + 14
    again = post_form(
        admin,
        "/admin/catalog/import",
        {"file": (io.BytesIO(SAMPLE.read_bytes()), "boavizta-sample.csv")},
        content_type="multipart/form-data",
    )
    assert "14 models kept (0 new, 0 updated, 14 unchanged)" in text(again)
    assert count(DeviceModel) == before + 14


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"sku,name\nA,B\n", "models.csv", "This is not a footprint file: columns manufacturer,"),
        (b"\xff\xfe\x00bad", "models.csv", "Not a UTF-8 text file."),
        (b"manufacturer,name\n", "models.xlsx", "A .csv file, please."),
    ],
)
def test_a_file_that_is_not_a_footprint_file_is_refused_beside_the_field(
    admin, content, filename, message
) -> None:
    before = count(DeviceModel)
    response = post_form(
        admin,
        "/admin/catalog/import",
        {"file": (io.BytesIO(content), filename)},
        form_page="/admin/catalog/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert error_beside(response, "file").startswith(message)
    assert count(DeviceModel) == before


def test_a_file_above_the_size_limit_is_refused(app, admin) -> None:
    big = b"manufacturer,name\n" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = post_form(
        admin,
        "/admin/catalog/import",
        {"file": (io.BytesIO(big), "big.csv")},
        form_page="/admin/catalog/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and response.mimetype == "text/html"


# -- plans and metrics ----------------------------------------------------------------------------------


def plan_form(**values: str) -> dict[str, str]:
    form = {
        "code": "laptop-2027",
        "name": "Laptop 2027",
        "currency": "EUR",
        "term_months": "36",
        "refresh_cycle_months": "36",
        "minimum_monthly_amount": "",
        "device_unit_amount": "",
        "device_model_sku": "",
    }
    for row in range(3):
        form.update(
            {f"charges-{row}-{name}": "" for name in ("metric", "model", "unit_amount", "package_size")}
        )
        for tier in range(4):
            form.update(
                {f"charges-{row}-tiers-{tier}-{name}": "" for name in ("up_to", "unit_amount", "flat_amount")}
            )
    form.update(values)
    return form


def test_plans_are_listed_with_their_charges_and_tiers(admin) -> None:
    metric = factories.metric(code="storage_gb", aggregation="max")
    factories.plan(
        code="tiered-plan",
        charges=[
            {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
            {
                "kind": "metered",
                "metric": metric.code,
                "model": "graduated",
                "tiers": [
                    {"up_to": Decimal(100), "unit_amount": Decimal("0.125")},
                    {"up_to": None, "unit_amount": Decimal("0.05"), "flat_amount": Decimal("2")},
                ],
            },
        ],
    )
    body = text(admin.get("/admin/plans"))
    assert "tiered-plan" in body and "39.00 EUR" in body and "storage_gb" in body
    words = " ".join(body.split())
    assert "<li>up to 100: 0.125 EUR each</li>" in words
    assert "<li>above: 0.05 EUR each + 2.00 EUR flat</li>" in words


def test_an_admin_creates_a_plan_with_a_graduated_charge(admin) -> None:
    factories.metric(code="tickets", aggregation="count")
    assert '<option value="tickets">tickets</option>' in text(admin.get("/admin/plans/new"))
    form = plan_form(
        device_unit_amount="42.50",
        minimum_monthly_amount="100",
        **{
            "charges-1-metric": "tickets",
            "charges-1-model": "graduated",
            "charges-1-tiers-0-up_to": "10",
            "charges-1-tiers-0-unit_amount": "0",
            "charges-1-tiers-2-unit_amount": "4.999999",
            "charges-1-tiers-2-flat_amount": "1",
        },
    )
    response = post_form(admin, "/admin/plans/new", form)
    assert response.status_code == 302, text(response)
    plan = db.session.scalar(select(Plan).where(Plan.code == "laptop-2027"))
    assert plan.minimum_monthly_amount == Decimal("100")
    device, metered = plan.charges
    assert (device.kind, device.unit_amount, device.device_model) == ("device_monthly", Decimal("42.5"), None)
    assert (metered.metric.code, metered.model) == ("tickets", "graduated")
    assert [(t.up_to, t.unit_amount, t.flat_amount) for t in metered.tiers] == [
        (Decimal(10), Decimal(0), Decimal(0)),
        (None, Decimal("4.999999"), Decimal(1)),
    ]
    assert "Plan laptop-2027 created with 2 charge(s)." in text(admin.get("/admin/plans"))


def test_plan_rules_are_shown_beside_the_rows_they_concern(admin) -> None:
    factories.metric(code="tickets")
    db.session.commit()
    form = plan_form(
        device_unit_amount="39",
        **{
            "charges-0-metric": "tickets",
            "charges-0-model": "volume",
            "charges-0-tiers-0-up_to": "50",
            "charges-0-tiers-0-unit_amount": "1",
            "charges-0-tiers-1-up_to": "20",
            "charges-0-tiers-1-unit_amount": "1",
            "charges-0-tiers-2-unit_amount": "1",
        },
    )
    response = post_form(admin, "/admin/plans/new", form)
    assert response.status_code == 422
    assert error_beside(response, "charges-0-tiers-1-up_to") == "Tiers must ascend: 20 is not above 50."
    assert "The plan is not valid: see the messages beside the fields." in text(response)
    response = post_form(
        admin, "/admin/plans/new", plan_form(**{"charges-2-metric": "tickets", "charges-2-unit_amount": "1"})
    )
    assert error_beside(response, "charges-2-model") == "A metered charge needs its pricing model."
    response = post_form(
        admin,
        "/admin/plans/new",
        plan_form(device_unit_amount="1", currency="JPY", minimum_monthly_amount="10.50"),
    )
    assert error_beside(response, "minimum_monthly_amount") == "JPY amounts have 0 decimals."
    response = post_form(
        admin, "/admin/plans/new", plan_form(device_unit_amount="1", device_model_sku="NO-SUCH-SKU")
    )
    assert error_beside(response, "device_model_sku") == "Unknown device model NO-SUCH-SKU."
    response = post_form(admin, "/admin/plans/new", plan_form(device_unit_amount="1", term_months="0"))
    assert error_beside(response, "term_months") == "Number must be between 1 and 120."
    response = post_form(admin, "/admin/plans/new", plan_form())
    assert error_beside(response, "device_unit_amount").startswith("A plan needs a charge")
    response = post_form(
        admin,
        "/admin/plans/new",
        plan_form(
            **{"charges-0-metric": "tickets", "charges-0-model": "graduated", "charges-0-tiers-0-up_to": "5"}
        ),
    )
    assert error_beside(response, "charges-0-tiers-0-unit_amount") == "A tier needs its unit amount."
    assert count(Plan, Plan.code == "laptop-2027") == 0


def test_a_plan_code_is_unique(admin) -> None:
    factories.plan(code="taken")
    db.session.commit()
    response = post_form(admin, "/admin/plans/new", plan_form(code="taken", device_unit_amount="1"))
    assert response.status_code == 422 and error_beside(response, "code") == "Already exists."


def test_an_admin_creates_metrics(admin) -> None:
    response = post_form(
        admin,
        "/admin/plans/metrics",
        {"code": "active_users", "name": "Active users", "aggregation": "unique_count"},
    )
    assert response.status_code == 422
    assert error_beside(response, "field").startswith("A unique_count metric needs the property")
    response = post_form(
        admin,
        "/admin/plans/metrics",
        {"code": "active_users", "name": "Active users", "aggregation": "unique_count", "field": "user_id"},
    )
    assert response.status_code == 302
    metric = db.session.scalar(select(Metric).where(Metric.code == "active_users"))
    assert (metric.aggregation, metric.field) == ("unique_count", "user_id")
    page = text(admin.get("/admin/plans/metrics"))
    assert "Metric active_users created." in page and "user_id" in page
    assert 'aria-current="page">Plans' in page
