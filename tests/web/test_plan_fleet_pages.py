"""The sustainability workshop's pages with the Flask test client: the customer plans its fleet (compares,
saves, applies) and opens its yearly report; finance and admin do the same for any customer and see the
portfolio; nobody sees another customer's."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from daas.contracts.models import Contract
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.workshop.models import SavedScenario
from tests import factories
from tests.web.helpers import hidden_fields, post_form, signed_in
from tests.web.test_portal_pages import charts, text_of

PLAN_PAGE = "/portal/plan-fleet"
COMPARE_EXTEND = {"extend": "y", "extend_months": "12", "horizon_years": "4"}


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
    return mine


@pytest.fixture
def customer(app, fleet):
    """The fleet's customer user, signed in (one signed-in client per test: the test's app context keeps
    the signed-in user)."""
    client, user = signed_in(app, "customer", fleet.customer.id)
    return SimpleNamespace(**vars(fleet), client=client, user=user)


@pytest.fixture
def stranger(app, database, today):
    other = _fleet("Andere Klant B.V.")
    db.session.commit()
    return other


def _save_extend(client, save_url: str, page: str):
    """Save the extend scenario from the comparison on `page`, with what its form carries."""
    carried = hidden_fields(client.get(page), save_url)
    return client.post(save_url, data={**carried, "save-extend-name": "Keep them a year longer"})


def test_the_planner_is_in_the_menu_and_compares_as_is_alone_at_first(customer) -> None:
    response = customer.client.get(PLAN_PAGE)
    assert response.status_code == 200
    page = text_of(response)
    assert 'aria-current="page">Plan your fleet<' in page
    assert "Consequential view" in page and "Attributed view" in page
    assert list(table_rows(response, "new-devices-table")) == ["As is"]
    assert "No scenario is saved yet." in page


def test_comparing_extend_shows_both_scenarios_and_fewer_new_devices(customer) -> None:
    response = customer.client.get(PLAN_PAGE, query_string=COMPARE_EXTEND)
    assert response.status_code == 200
    drawn = charts(response)
    assert len(drawn) == 6  # manufactured, leaving, recycled, embodied and attributed CO2e, cost
    for chart in drawn:
        assert [d["label"] for d in chart["datasets"]] == ["As is", "Extend by 12 months"]
        assert len(chart["labels"]) == 4  # one bar per year of the horizon
    # Both worn laptops are replaced in the first year as is (their 24 months end in 2027), a year later
    # on 36 months; their replacements are upgraded, not replaced, within the horizon.
    rows = table_rows(response, "new-devices-table")
    assert rows["As is"][:5] == ["2", "0", "0", "0", "2"]
    assert rows["Extend by 12 months"] == ["0", "2", "0", "0", "2", "0"]  # the last: the difference
    embodied = table_rows(response, "embodied-co2e-kg-table")
    assert embodied["Extend by 12 months"][0] == "0" and embodied["Extend by 12 months"][5].startswith("-")
    cost = table_rows(response, "cost-table")["Extend by 12 months"]
    assert cost[5].startswith("-")  # fewer upgrade fees and no new device's price in the last years
    for table in (
        "cost-table",
        "embodied-co2e-kg-table",
        "attributed-co2e-kg-table",
        "devices-leaving-table",
    ):
        assert set(table_rows(response, table)) == {"As is", "Extend by 12 months"}
    assert db.session.scalar(select(SavedScenario.id)) is None  # comparing changes nothing


def test_a_bad_horizon_is_named_beside_its_field(customer) -> None:
    response = customer.client.get(PLAN_PAGE, query_string={**COMPARE_EXTEND, "horizon_years": "40"})
    assert response.status_code == 200
    assert 'id="horizon_years-error"' in response.get_data(as_text=True)
    assert "The scenarios side by side" not in text_of(response)


def test_saving_and_applying_extend_sets_the_contract_s_refresh_cycle(customer) -> None:
    page = f"{PLAN_PAGE}?extend=y&extend_months=12&horizon_years=4"
    saved = _save_extend(customer.client, "/portal/plan-fleet/save/extend", page)
    assert saved.status_code == 302
    scenario = db.session.scalars(select(SavedScenario)).one()
    assert (scenario.customer_id, scenario.kind, scenario.horizon_years) == (
        customer.customer.id,
        "extend",
        4,
    )
    assert scenario.name == "Keep them a year longer"
    listed = customer.client.get(PLAN_PAGE)
    assert "Saved the scenario “Keep them a year longer”." in text_of(listed)
    assert "Keep them a year longer" in text_of(listed).split("Saved scenarios")[-1]

    applied = post_form(
        customer.client, f"/portal/plan-fleet/scenarios/{scenario.id}/apply", {}, form_page=PLAN_PAGE
    )
    assert applied.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contract, customer.contract.id).refresh_cycle_months == 36
    assert db.session.get(SavedScenario, scenario.id).applied_at is not None
    assert f"contract #{customer.contract.id} now refreshes every 36 months" in text_of(
        customer.client.get(PLAN_PAGE)
    )


def test_another_customer_s_saved_scenario_cannot_be_applied(customer, stranger, app) -> None:
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
        customer.client, f"/portal/plan-fleet/scenarios/{theirs.id}/apply", {}, form_page=PLAN_PAGE
    )
    assert response.status_code in (302, 404)
    db.session.expire_all()
    assert db.session.get(Contract, stranger.contract.id).refresh_cycle_months is None
    assert db.session.get(SavedScenario, theirs.id).applied_at is None
    assert "Theirs" not in text_of(customer.client.get(PLAN_PAGE))
    # Asking for the other customer's contract compares nothing of theirs
    response = customer.client.get(PLAN_PAGE, query_string={"contract_id": str(stranger.contract.id)})
    assert "The scenarios side by side" not in text_of(response)


def test_a_customer_may_not_open_the_staff_pages(customer) -> None:
    base = f"/finance/sustainability/customers/{customer.customer.id}"
    for url in ("/finance/sustainability", f"{base}/plan-fleet", f"{base}/report"):
        assert customer.client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["finance", "admin"])
def test_staff_open_the_planner_and_report_of_any_customer(fleet, app, role) -> None:
    client, _ = signed_in(app, role)
    assert client.get(PLAN_PAGE).status_code == 403  # the portal is the customer's
    base = f"/finance/sustainability/customers/{fleet.customer.id}"
    plan = client.get(f"{base}/plan-fleet", query_string=COMPARE_EXTEND)
    assert plan.status_code == 200
    assert set(table_rows(plan, "new-devices-table")) == {"As is", "Extend by 12 months"}
    report = client.get(f"{base}/report?year=2026")
    assert report.status_code == 200
    assert "Sustainability report 2026 of Grachten Advies B.V." in text_of(report)
    assert 'aria-current="page">Sustainability<' in text_of(report)  # in the role's menu
    assert (
        client.get(f"/finance/sustainability/customers/{fleet.customer.id + 999}/plan-fleet").status_code
        == 404
    )


def test_logistics_may_not_open_the_workshop_pages(fleet, app) -> None:
    client, _ = signed_in(app, "logistics")
    assert client.get("/finance/sustainability").status_code == 403
    assert client.get(f"/finance/sustainability/customers/{fleet.customer.id}/plan-fleet").status_code == 403


def test_finance_saves_and_applies_a_scenario_for_a_customer(fleet, app) -> None:
    client, user = signed_in(app, "finance")
    base = f"/finance/sustainability/customers/{fleet.customer.id}/plan-fleet"
    _save_extend(client, f"{base}/save/extend", f"{base}?extend=y&extend_months=6")
    scenario = db.session.scalars(select(SavedScenario)).one()
    assert scenario.created_by == user.email and scenario.customer_id == fleet.customer.id
    post_form(client, f"{base}/scenarios/{scenario.id}/apply", {}, form_page=base)
    db.session.expire_all()
    assert db.session.get(Contract, fleet.contract.id).refresh_cycle_months == 30


def test_the_customer_s_report_has_its_sections_and_files(customer) -> None:
    response = customer.client.get("/portal/sustainability-report", query_string={"year": "2026"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Sustainability report 2026" in page
    assert 'aria-current="page">Sustainability report<' in page
    for section in (
        "Reporting choices",
        "Use phase",
        "Embodied",
        "Avoided",
        "Inflows",
        "Outflows",
        "Packaging",
    ):
        assert f"<h2>{section}</h2>" in page
    assert '<th scope="row">Consolidation approach</th><td>Operational control</td>' in page  # shown
    # The choices are shown, not edited, here: no form posts anywhere but signing out
    assert re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page) == ["/logout"]
    [scopes] = [chart for chart in charts(response) if chart["datasets"][0]["label"] == "CO2e"]
    assert "Scope 2 (location-based)" in scopes["labels"]
    for fmt in ("csv", "xlsx", "pdf"):
        assert f'href="/portal/sustainability-report.{fmt}?year=2026"' in page
    csv = customer.client.get("/portal/sustainability-report.csv?year=2026")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert customer.client.get("/portal/sustainability-report.pdf?year=2026").data.startswith(b"%PDF")
    assert customer.client.get("/portal/sustainability-report.xlsx?year=2026").data.startswith(b"PK")
    assert customer.client.get("/portal/sustainability-report.doc?year=2026").status_code == 404


def test_the_portfolio_lists_the_customers_of_the_year(fleet, stranger, app) -> None:
    client, _ = signed_in(app, "finance")
    response = client.get("/finance/sustainability", query_string={"year": "2026"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Sustainability 2026" in page
    for customer in (fleet.customer, stranger.customer):
        assert f'href="/finance/sustainability/customers/{customer.id}/report?year=2026"' in page
    download = client.get("/finance/sustainability.csv?year=2026")
    assert download.mimetype == "text/csv" and "Andere Klant B.V." in download.get_data(as_text=True)
    picked = client.get("/finance/sustainability", query_string={"customer_id": str(stranger.customer.id)})
    assert picked.status_code == 302
    assert picked.headers["Location"].endswith(
        f"/finance/sustainability/customers/{stranger.customer.id}/report"
    )
