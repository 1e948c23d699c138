"""The sustainability workshop's pages with the Flask test client: the customer plans its fleet (compares,
saves, applies) and opens its yearly report; finance and admin do the same for any customer and see the
portfolio; nobody sees another customer's."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from daas.contracts.models import Contract
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.workshop.models import SavedScenario
from tests import factories
from tests.web.helpers import post_form, signed_in

PLAN_PAGE = "/portal/plan-fleet"
COMPARE_EXTEND = {"extend": "y", "extend_months": "12", "horizon_years": "4"}


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"</?time[^>]*>", "", response.get_data(as_text=True))))


def charts(response) -> list[dict]:
    return [
        json.loads(unescape(raw))
        for raw in re.findall(r'data-chart="([^"]+)"', response.get_data(as_text=True))
    ]


def table_rows(response, table_id: str) -> dict[str, list[str]]:
    """The rows of the table `table_id`: the scenario's name -> its cells (years, total, difference)."""
    page = text_of(response)
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page)
    assert table, f"no table {table_id}"
    return {
        name: re.findall(r'<td class="num">([^<]*)</td>', cells)
        for name, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table.group(1))
    }


def _fleet(name: str) -> SimpleNamespace:
    """A customer with two laptops on a 24-month refresh cycle, deployed in 2025: their refreshes fall in
    the horizon as is, and later when the cycle is 12 months longer."""
    model = factories.device_model(sku=factories.unique("PLN"), expected_lifetime_months=72)
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    customer = factories.customer(name=name)
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    for deployed_on, battery in ((date(2025, 1, 15), 64), (date(2025, 6, 1), 60)):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, deployed_on, "tests")
    return SimpleNamespace(customer=customer, contract=contract, plan=plan)


@pytest.fixture
def fleet(app, database, today):
    mine = _fleet("Grachten Advies B.V.")
    db.session.commit()
    client, user = signed_in(app, "customer", mine.customer.id)
    return SimpleNamespace(**vars(mine), client=client, user=user)


@pytest.fixture
def stranger(app, database, today):
    other = _fleet("Andere Klant B.V.")
    db.session.commit()
    return other


def _save_extend(client, page: str, save_url: str):
    return post_form(client, save_url, {"save-extend-name": "Keep them a year longer"}, form_page=page)


def test_the_planner_is_in_the_menu_and_compares_as_is_alone_at_first(fleet) -> None:
    response = fleet.client.get(PLAN_PAGE)
    assert response.status_code == 200
    page = text_of(response)
    assert 'aria-current="page">Plan your fleet<' in page
    assert "Consequential view" in page and "Attributed view" in page
    assert list(table_rows(response, "new-devices-table")) == ["As is"]
    assert "No scenario is saved yet." in page


def test_comparing_extend_shows_both_scenarios_and_fewer_new_devices(fleet) -> None:
    response = fleet.client.get(PLAN_PAGE, query_string=COMPARE_EXTEND)
    assert response.status_code == 200
    drawn = charts(response)
    assert len(drawn) == 6  # manufactured, leaving, recycled, embodied and attributed CO2e, cost
    for chart in drawn:
        assert [d["label"] for d in chart["datasets"]] == ["As is", "Extend by 12 months"]
        assert len(chart["labels"]) == 4  # one bar per year of the horizon
    rows = table_rows(response, "new-devices-table")
    as_is_total, extend_total = int(rows["As is"][4]), int(rows["Extend by 12 months"][4])
    assert as_is_total >= 2  # both laptops are replaced within four years on a 24-month cycle
    assert extend_total < as_is_total
    assert rows["Extend by 12 months"][5] == str(extend_total - as_is_total)  # the difference from as is
    for table in (
        "cost-table",
        "embodied-co2e-kg-table",
        "attributed-co2e-kg-table",
        "devices-leaving-table",
    ):
        assert set(table_rows(response, table)) == {"As is", "Extend by 12 months"}
    assert db.session.scalar(select(SavedScenario.id)) is None  # comparing changes nothing


def test_a_bad_horizon_is_named_beside_its_field(fleet) -> None:
    response = fleet.client.get(PLAN_PAGE, query_string={**COMPARE_EXTEND, "horizon_years": "40"})
    assert response.status_code == 200
    assert 'id="horizon_years-error"' in response.get_data(as_text=True)
    assert "The scenarios side by side" not in text_of(response)


def test_saving_and_applying_extend_sets_the_contract_s_refresh_cycle(fleet) -> None:
    page = f"{PLAN_PAGE}?extend=y&extend_months=12&horizon_years=4"
    saved = _save_extend(fleet.client, "/portal/plan-fleet/save/extend", page)
    assert saved.status_code == 302
    scenario = db.session.scalars(select(SavedScenario)).one()
    assert (scenario.customer_id, scenario.kind, scenario.horizon_years) == (fleet.customer.id, "extend", 4)
    assert scenario.name == "Keep them a year longer"
    listed = fleet.client.get(PLAN_PAGE)
    assert "Saved the scenario “Keep them a year longer”." in text_of(listed)
    assert "Keep them a year longer" in text_of(listed).split("Saved scenarios")[-1]

    applied = post_form(
        fleet.client, f"/portal/plan-fleet/scenarios/{scenario.id}/apply", {}, form_page=PLAN_PAGE
    )
    assert applied.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contract, fleet.contract.id).refresh_cycle_months == 36
    assert db.session.get(SavedScenario, scenario.id).applied_at is not None
    assert f"contract #{fleet.contract.id} now refreshes every 36 months" in text_of(
        fleet.client.get(PLAN_PAGE)
    )


def test_another_customer_s_saved_scenario_cannot_be_applied(fleet, stranger, app) -> None:
    theirs = SavedScenario(
        customer_id=stranger.customer.id,
        name="Theirs",
        kind="extend",
        choices={"extend_months": {"*": 12}},
        horizon_years=4,
        created_by="tests",
    )
    db.session.add(theirs)
    db.session.commit()
    response = post_form(
        fleet.client, f"/portal/plan-fleet/scenarios/{theirs.id}/apply", {}, form_page=PLAN_PAGE
    )
    assert response.status_code in (302, 404)
    db.session.expire_all()
    assert db.session.get(Contract, stranger.contract.id).refresh_cycle_months is None
    assert db.session.get(SavedScenario, theirs.id).applied_at is None
    assert "Theirs" not in text_of(fleet.client.get(PLAN_PAGE))
    # Asking for the other customer's contract compares nothing of theirs
    response = fleet.client.get(PLAN_PAGE, query_string={"contract_id": str(stranger.contract.id)})
    assert "The scenarios side by side" not in text_of(response)


def test_staff_open_the_planner_and_report_of_any_customer_and_customers_may_not(fleet, app) -> None:
    assert (
        fleet.client.get(f"/finance/sustainability/customers/{fleet.customer.id}/plan-fleet").status_code
        == 403
    )
    assert fleet.client.get("/finance/sustainability").status_code == 403
    for role in ("finance", "admin"):
        client, _ = signed_in(app, role)
        assert client.get(PLAN_PAGE).status_code == 403  # the portal is the customer's
        plan = client.get(
            f"/finance/sustainability/customers/{fleet.customer.id}/plan-fleet", query_string=COMPARE_EXTEND
        )
        assert plan.status_code == 200
        assert set(table_rows(plan, "new-devices-table")) == {"As is", "Extend by 12 months"}
        report = client.get(f"/finance/sustainability/customers/{fleet.customer.id}/report?year=2026")
        assert report.status_code == 200 and "Sustainability report 2026 of Grachten Advies B.V." in text_of(
            report
        )
        assert 'aria-current="page">Sustainability<' in text_of(report)
    logistics, _ = signed_in(app, "logistics")
    assert logistics.get("/finance/sustainability").status_code == 403


def test_finance_saves_and_applies_a_scenario_for_a_customer(fleet, app) -> None:
    client, user = signed_in(app, "finance")
    base = f"/finance/sustainability/customers/{fleet.customer.id}/plan-fleet"
    _save_extend(client, f"{base}/save/extend", f"{base}?extend=y&extend_months=6")
    scenario = db.session.scalars(select(SavedScenario)).one()
    assert scenario.created_by == user.email and scenario.customer_id == fleet.customer.id
    post_form(client, f"{base}/scenarios/{scenario.id}/apply", {}, form_page=base)
    db.session.expire_all()
    assert db.session.get(Contract, fleet.contract.id).refresh_cycle_months == 30


def test_the_customer_s_report_has_its_sections_and_files(fleet) -> None:
    response = fleet.client.get("/portal/sustainability-report", query_string={"year": "2026"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Sustainability report 2026" in page
    assert 'aria-current="page">Sustainability report<' in page
    for fmt in ("csv", "xlsx", "pdf"):
        assert f'href="/portal/sustainability-report.{fmt}?year=2026"' in page
    csv = fleet.client.get("/portal/sustainability-report.csv?year=2026")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert fleet.client.get("/portal/sustainability-report.pdf?year=2026").data.startswith(b"%PDF")
    assert fleet.client.get("/portal/sustainability-report.xlsx?year=2026").data.startswith(b"PK")
    assert fleet.client.get("/portal/sustainability-report.doc?year=2026").status_code == 404


def test_the_portfolio_lists_the_customers_of_the_year(fleet, stranger, app) -> None:
    client, _ = signed_in(app, "finance")
    response = client.get("/finance/sustainability", query_string={"year": "2026"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Sustainability 2026" in page
    for customer in (fleet.customer, stranger.customer):
        assert f'href="/finance/sustainability/customers/{customer.id}/report?year=2026"' in page
    picked = client.get("/finance/sustainability", query_string={"customer_id": str(stranger.customer.id)})
    assert picked.status_code == 302
    assert picked.headers["Location"].endswith(
        f"/finance/sustainability/customers/{stranger.customer.id}/report"
    )
