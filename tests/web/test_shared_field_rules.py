"""The pages apply the API's field rules (daas.core through daas.web.input): a billing period outside the
platform's calendar is refused beside its field (it used to reach Period.parse and fail the page), a
region is never let through with a line break after it, and a plan's amounts are bounded as the API
bounds them, "-0" refused as below 0."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from daas.extensions import db
from daas.pricing.models import Plan
from daas.web.finance.forms import PERIOD_MESSAGE
from daas.web.input import NOT_KEPT
from daas.web.portal.forms import ChooseSubscriptionForm, ReturnForm
from tests.web.helpers import post_form, signed_in
from tests.web.test_admin_pages import plan_form


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _error_beside(response, field_id: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-error">([^<]*)</p>', _text(response)
    )
    assert match, f"no error beside {field_id}"
    return match.group(1)


@pytest.fixture
def finance(app, database, today):
    client, _ = signed_in(app, "finance")
    db.session.commit()
    return client


@pytest.fixture
def admin(app, database):
    client, _ = signed_in(app, "admin")
    db.session.commit()
    return client


@pytest.mark.parametrize("period", ["1999-12", "3000-01", "٢٠٢٦-10"])
def test_a_period_outside_the_calendar_is_refused_beside_the_field(finance, period) -> None:
    page = finance.get("/finance/billing-runs", query_string={"period": period})
    assert page.status_code == 200
    assert _error_beside(page, "period") == PERIOD_MESSAGE
    assert "Preview of 2026-10" in _text(page)  # the page falls back to last month
    invoices = finance.get("/finance/invoices", query_string={"period": period})
    assert invoices.status_code == 200 and _error_beside(invoices, "period") == PERIOD_MESSAGE


def test_a_billing_run_of_a_period_outside_the_calendar_is_not_started(finance) -> None:
    response = post_form(finance, "/finance/billing-runs/run", {"period": "1999-12"}, "/finance/billing-runs")
    assert response.status_code == 302 and response.headers["Location"].endswith("/finance/billing-runs")
    assert f"Choose the period to bill: {PERIOD_MESSAGE}" in _text(finance.get("/finance/billing-runs"))


def test_a_pickup_region_with_a_line_break_after_it_is_refused_on_the_portal(app) -> None:
    with app.test_request_context("/portal/returns/new"):
        chosen = ChooseSubscriptionForm(MultiDict({"contract": "1", "region": "NL-AMS\n"}))
        chosen.contract.choices = [(1, "Subscription 1")]
        assert not chosen.validate()
        assert chosen.region.errors == ["Letters, digits, - . _ / only."]
        form = ReturnForm(MultiDict({"region": "NL-AMS\n"}), meta={"csrf": False})
        assert not form.region.validate(form)
        plain = ChooseSubscriptionForm(MultiDict({"contract": "1", "region": "NL-AMS"}))
        plain.contract.choices = [(1, "Subscription 1")]
        assert plain.validate(), plain.errors


def test_a_plans_amounts_are_bounded_as_the_api_bounds_them(admin) -> None:
    too_large = post_form(admin, "/admin/plans/new", plan_form(device_unit_amount="10000000000"))
    assert too_large.status_code == 422 and _error_beside(too_large, "device_unit_amount") == NOT_KEPT
    negative_zero = post_form(
        admin, "/admin/plans/new", plan_form(device_unit_amount="1", minimum_monthly_amount="-0")
    )
    assert _error_beside(negative_zero, "minimum_monthly_amount") == "Must be at least 0."
    largest = post_form(
        admin,
        "/admin/plans/new",
        plan_form(device_unit_amount="9999999999.999999", minimum_monthly_amount="99999999999999.99"),
    )
    assert largest.status_code == 302, _text(largest)
    plan = db.session.scalar(select(Plan).where(Plan.code == "laptop-2027"))
    assert plan.minimum_monthly_amount == Decimal("99999999999999.99")
    assert [charge.unit_amount for charge in plan.charges] == [Decimal("9999999999.999999")]
