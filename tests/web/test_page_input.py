"""What the pages take in: a form field no database can store is refused (422, the field named) before any
view runs; a serial is entered by the same rule as in the API; and a date so late that booking a return
from it would run off the calendar is refused beside its field."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from daas.contracts.services import deploy_device
from daas.core.identifiers import SERIAL_MESSAGE
from daas.customers.models import Customer
from daas.extensions import db
from daas.logistics import refresh
from daas.logistics.models import RefreshOrder
from daas.logistics.rules import UpgradePolicy
from tests import factories
from tests.web.helpers import post_form, signed_in

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


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def error_beside(response, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', text(response))
    assert match, f"no error beside {field_id}"
    return match.group(1)


def test_a_nul_in_a_form_field_is_refused_naming_it_and_nothing_is_stored(app, database):
    admin, _ = signed_in(app, "admin")
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Customer))
    for field in ("name", "pickup_address", "billing_email"):
        value = CUSTOMER_FORM[field][:5] + "\x00" + CUSTOMER_FORM[field][5:]
        response = post_form(admin, "/admin/customers/new", {**CUSTOMER_FORM, field: value})
        assert response.status_code == 422, field
        assert f"Invalid input: {field}." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == before


@pytest.fixture
def refreshes(app, database, today):
    """A customer's healthy laptop (an upgrade is proposed) and worn one (approved for a replacement),
    both due 2027-01-15."""
    model = factories.device_model(expected_lifetime_months=60)
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    customer = factories.customer(pickup_region="NL-AMS", pickup_address="Keizersgracht 10")
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    orders = {}
    for name, battery in (("healthy", 91), ("worn", 60)):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, date(2025, 1, 15), "tests")
        refresh.plan_refreshes(date(2026, 11, 20), 60, UpgradePolicy(80, 12), 14)
        orders[name] = db.session.scalar(select(RefreshOrder).where(RefreshOrder.device_id == device.id))
    refresh.approve_refresh(orders["worn"].id, "replace", "tests", 14, model.sku)
    db.session.commit()
    return {"orders": orders, "customer": customer}


def test_a_refresh_cannot_be_rescheduled_past_the_calendar(app, refreshes):
    client, _ = signed_in(app, "customer", refreshes["customer"].id)
    order = refreshes["orders"]["healthy"]
    url = f"/portal/refresh-orders/{order.id}"
    refused = post_form(client, url + "/reschedule", {"due_date": "9999-12-31"}, form_page=url)
    assert refused.status_code == 422
    assert error_beside(refused, "due_date") == "At most 2999-12-31."
    assert db.session.get(RefreshOrder, order.id).due_date == date(2027, 1, 15)


def test_serials_are_entered_on_the_pages_by_the_one_rule(app, refreshes):
    client, _ = signed_in(app, "logistics")
    order = refreshes["orders"]["worn"]
    url = f"/logistics/refresh-orders/{order.id}"
    for serial in ("A/B", "SN 1", "SN#1"):
        refused = post_form(
            client, url + "/complete", {"completed_on": "2026-11-15", "replacement_serial": serial}, url
        )
        assert refused.status_code == 422
        assert error_beside(refused, "replacement_serial") == SERIAL_MESSAGE
        scanned = client.get("/logistics/devices", query_string={"serial": serial})
        assert error_beside(scanned, "serial") == SERIAL_MESSAGE
    assert db.session.get(RefreshOrder, order.id).status == "approved"
