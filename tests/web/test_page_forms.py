"""Forms of the pages: a GET filter is never an error before anyone chose a value (the catalog's category
filter said "Not a valid choice." on first load), and a form sent back with errors starts with a summary
of them, each a link to its field, so no error is only below the fold."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from daas.catalog.models import DeviceModel
from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from daas.logistics import slots
from tests import factories
from tests.web.helpers import post_form, signed_in


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def form_posting_to(page: str, action: str) -> str:
    found = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert found, f"no form posting to {action}"
    return found.group(1)


def form_with(page: str, opening: str) -> str:
    found = re.search(rf"{re.escape(opening)}(.*?)</form>", page, re.S)
    assert found, f"no form {opening}"
    return found.group(1)


def assert_summarised(page: str, form: str) -> list[str]:
    """The form starts with an error summary that links every field shown with an error (a list of
    choices by its first choice) to an element of the page; answers the summary's link texts."""
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', form, re.S)
    assert summary, "no error summary in the form"
    first_field = form.find('class="field"')
    assert first_field == -1 or summary.start() < first_field, "the summary is not at the top of the form"
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1)))
    beside = re.findall(r'id="([^"]+)-error"', form)
    assert beside, "no error beside a field"
    for field_id in beside:
        assert field_id in links or f"{field_id}-0" in links, f"{field_id} is not in the summary"
    for target in links:
        assert f'id="{target}"' in page, f"the summary links to #{target}, which is not on the page"
    return list(links.values())


# -- GET filters ----------------------------------------------------------------------------------------


@pytest.fixture
def admin(app, database):
    client, _ = signed_in(app, "admin")
    return client


def test_the_catalog_category_filter_is_no_error_on_first_load(admin) -> None:
    laptop = factories.device_model(category="laptop")
    monitor = factories.device_model(category="monitor", name="P2422H")
    db.session.commit()
    first = html(admin.get("/admin/catalog"))
    assert "Not a valid choice" not in first and 'class="field-error"' not in first
    assert "error-summary" not in first
    assert laptop.sku in first and monitor.sku in first

    laptops = html(admin.get("/admin/catalog?category=laptop"))
    assert laptop.sku in laptops and monitor.sku not in laptops
    everything = html(admin.get("/admin/catalog?category="))
    assert laptop.sku in everything and monitor.sku in everything and "field-error" not in everything

    unknown = html(admin.get("/admin/catalog?category=spaceship"))
    assert '<p class="field-error" id="category-error">Not a valid choice.</p>' in unknown
    form = form_posting_to(unknown, "/admin/catalog")
    assert assert_summarised(unknown, form) == ["Category: Not a valid choice."]
    assert db.session.query(DeviceModel).count() == 2


# -- summaries of the errors at the top of the form ------------------------------------------------------


def test_a_wipe_without_its_verifier_is_summarised_at_the_top_of_the_form(app, database, today) -> None:
    contract = factories.contract()
    serial = factories.device().serial
    deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
    end_deployment(contract.id, serial, date(2026, 11, 10), "tests")
    db.session.commit()
    client, _ = signed_in(app, "logistics")
    url = f"/logistics/devices/{serial}"
    data = {"method": "purge", "standard": "", "verification": "full", "verified_by": "", "on": "2026-13-01"}
    response = post_form(client, f"{url}/wipe", data, form_page=url)
    assert response.status_code == 422
    page = html(response)
    texts = assert_summarised(page, form_posting_to(page, f"{url}/wipe"))
    assert "Verified by: This field is required." in texts and "Standard: This field is required." in texts
    assert any(text.startswith("Wiped on: ") for text in texts)
    assert "There are 3 problems" in page


def test_a_slot_with_three_mistakes_lists_all_three_at_the_top(app, database, today) -> None:
    client, _ = signed_in(app, "logistics")
    response = post_form(
        client,
        "/logistics/calendar/slots",
        {"new-region": "no spaces", "new-date": "", "new-capacity": "-1"},
        form_page="/logistics/calendar",
    )
    page = html(response)
    form = form_posting_to(page, "/logistics/calendar/slots?region=&month=2026-11")
    texts = assert_summarised(page, form)
    assert len(texts) == 3 and "Capacity (pickups): Number must be between 0 and 10000." in texts


def test_a_customer_form_is_summarised_with_links_to_its_fields(app, database) -> None:
    client, _ = signed_in(app, "admin")
    data = {"name": "", "country": "XX", "currency": "EUR", "billing_email": "not an address"}
    response = post_form(client, "/admin/customers/new", data)
    assert response.status_code == 422
    page = html(response)
    texts = assert_summarised(
        page, form_with(page, '<form method="post" class="stack customer-form" novalidate>')
    )
    assert "Name: This field is required." in texts and len(texts) >= 3


def test_a_plan_charge_row_with_a_mistake_is_linked_from_the_summary(app, database) -> None:
    client, _ = signed_in(app, "admin")
    metric = factories.metric()
    db.session.commit()
    data = {
        "code": "laptop-2027",
        "name": "Laptop 2027",
        "currency": "EUR",
        "term_months": "36",
        "refresh_cycle_months": "36",
        "minimum_monthly_amount": "",
        "device_unit_amount": "39",
        "device_model_sku": "",
    }
    for row in range(3):
        data.update(
            {f"charges-{row}-{name}": "" for name in ("metric", "model", "unit_amount", "package_size")}
        )
        for tier in range(4):
            data.update(
                {f"charges-{row}-tiers-{tier}-{name}": "" for name in ("up_to", "unit_amount", "flat_amount")}
            )
    data.update({"charges-0-metric": metric.code, "charges-0-unit_amount": "1"})
    response = post_form(client, "/admin/plans/new", data)
    assert response.status_code == 422
    page = html(response)
    form = form_with(page, '<form method="post" novalidate class="plan-form">')
    assert_summarised(page, form)
    assert '<a href="#charges-0-model">' in form


def test_a_return_without_devices_or_date_links_to_the_first_choice_of_each_list(
    app, database, today
) -> None:
    customer = factories.customer(pickup_region="NL-AMS", pickup_address="Keizersgracht 10")
    contract = factories.contract(customer.id)
    deploy_device(contract.id, factories.device().serial, date(2026, 2, 1), "tests")
    slots.create_slot("NL-AMS", date(2026, 11, 18), 2)
    db.session.commit()
    client, _ = signed_in(app, "customer", customer.id)
    data = {"contract_id": contract.id, "region": "NL-AMS", "reason": "defect", "address": "Keizersgracht 10"}
    response = post_form(client, "/portal/returns/new", data, form_page="/portal/returns/new")
    assert response.status_code == 422
    page = html(response)
    form = re.search(r'<form method="post" class="stack wide"[^>]*>(.*?)</form>', page, re.S).group(1)
    texts = assert_summarised(page, form)
    assert texts == ["Devices to return: Choose at least one device.", "Pickup date: Choose a pickup date."]
    assert '<a href="#serials-0">' in form and '<a href="#requested_date-0">' in form
