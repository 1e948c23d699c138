"""Contracts pages for finance and admin: list, sign a contract, its renewal, register and deploy devices."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.contracts.models import Contract, Deployment
from daas.extensions import db
from tests import factories
from tests.web.helpers import post_form, signed_in


@pytest.fixture
def finance(app, database, today):
    client, _ = signed_in(app, "finance")
    return client


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|table|ul)>', html, re.S)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_finance_signs_a_contract_and_sees_it_listed(finance):
    customer = factories.customer(name="Baukontor GmbH")
    plan = factories.plan(code="laptop-std-36", minimum_monthly_amount=Decimal("500.00"))
    form = {
        "customer_id": str(customer.id),
        "plan_code": plan.code,
        "start_date": "2026-12-01",
        "end_date": "",
        "minimum_monthly_amount": "",
        "reference": "",
        "purchase_order": "PO-77",
        "renews": "y",
        "renewal_months": "24",
        "renewal_notice_days": "60",
    }
    response = post_form(finance, "/finance/contracts/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    contract = db.session.scalars(select(Contract)).one()
    assert (contract.end_date, contract.renews, contract.renewal_months, contract.purchase_order) == (
        date(2029, 12, 1),
        True,
        24,
        "PO-77",
    )
    page = finance.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Contract {contract.reference} signed: 2026-12-01 to 2029-12-01." in page
    assert _text(page, "contract-renewal") == "renews for 24 months"
    listed = finance.get("/finance/contracts").get_data(as_text=True)
    assert _text(listed, "contracts-table").endswith(
        f"{contract.reference} Baukontor GmbH laptop-std-36 2026-12-01 2029-12-01 active yes, 24 months"
    )


def test_a_refused_contract_says_why_beside_the_field(finance):
    customer = factories.customer(currency="USD", country="US")
    plan = factories.plan()
    form = {
        "customer_id": str(customer.id),
        "plan_code": plan.code,
        "start_date": "2026-12-01",
        "renewal_months": "12",
        "renewal_notice_days": "90",
    }
    response = post_form(finance, "/finance/contracts/new", form)
    assert response.status_code == 422
    assert "The plan bills in EUR; the customer pays in USD." in response.get_data(as_text=True)
    assert db.session.scalars(select(Contract)).all() == []


def test_finance_registers_and_deploys_a_device_and_turns_renewal_off(finance):
    model = factories.device_model(sku="DELL-LAT-5440")
    contract = factories.contract(start_date=date(2026, 1, 1), renews=True)
    url = f"/finance/contracts/{contract.id}"
    registered = post_form(
        finance,
        f"{url}/devices/register",
        {"serial": "SN-PAGE-1", "sku": model.sku, "manufactured_on": "2026-10-01", "on": "2026-11-01"},
    )
    assert registered.status_code == 302, registered.get_data(as_text=True)
    deployed = post_form(finance, f"{url}/devices", {"serial": "SN-PAGE-1", "start_date": "2026-11-02"})
    assert deployed.status_code == 302, deployed.get_data(as_text=True)
    page = finance.get(url).get_data(as_text=True)
    assert "SN-PAGE-1 is in service from 2026-11-02." in page
    assert _text(page, "contract-devices").endswith("SN-PAGE-1 DELL-LAT-5440 2026-11-02")
    deployment = db.session.scalars(select(Deployment)).one()
    assert (deployment.contract_id, deployment.start_date) == (contract.id, date(2026, 11, 2))

    twice = post_form(finance, f"{url}/devices", {"serial": "SN-PAGE-1", "start_date": "2026-11-03"})
    assert twice.status_code == 422
    stopped = post_form(finance, f"{url}/renewal", {"renewal_months": "12", "renewal_notice_days": "90"})
    assert stopped.status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(Contract, contract.id).renews,
        db.session.get(Contract, contract.id).renewal_stopped_on,
    ) == (
        False,
        date(2026, 11, 15),
    )
    bad = post_form(
        finance, f"{url}/renewal", {"renews": "y", "renewal_months": "0", "renewal_notice_days": "90"}
    )
    assert bad.status_code == 422 and "Number must be between 1 and 120." in bad.get_data(as_text=True)


def test_customers_and_logistics_cannot_open_the_contracts_pages(app, database, today):
    customer = factories.customer()
    client, _ = signed_in(app, "customer", customer.id)
    assert client.get("/finance/contracts").status_code == 403


def test_the_customer_s_subscription_page_shows_its_invoices_and_what_happens_at_its_end(
    app, database, today
):
    from tests.billing_helpers import OCTOBER, bill, deploy

    customer = factories.customer()
    contract = factories.contract(customer.id, start_date=date(2026, 1, 1), renews=True, renewal_months=6)
    deploy(contract, date(2026, 9, 1))
    bill(OCTOBER, finalize=True)
    draft_only = factories.contract(customer.id, start_date=date(2026, 1, 1), end_date=date(2027, 1, 1))
    deploy(draft_only, date(2026, 9, 1))
    bill(OCTOBER)  # its October invoice stays a draft, which the customer does not see
    client, _ = signed_in(app, "customer", customer.id)
    page = client.get(f"/portal/subscriptions/{contract.id}").get_data(as_text=True)
    renewal = re.search(r'id="subscription-renewal">(.*?)</p>', page, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", " ", renewal).split()) == "On 2029-01-01 it renews for 6 months."
    assert _text(page, "subscription-invoices").endswith("2026-10 open 47.19 EUR")
    ending = client.get(f"/portal/subscriptions/{draft_only.id}").get_data(as_text=True)
    assert "It ends on <time" in ending and "No invoice yet." in ending


def test_finance_changes_the_plan_from_a_day_and_extends_the_contract(finance):
    customer = factories.customer()
    standard = factories.plan(code="laptop-std-36")
    pro = factories.plan(
        code="laptop-pro-36", charges=[{"kind": "device_monthly", "unit_amount": Decimal("49.00")}]
    )
    factories.plan(code="laptop-usd", currency="USD")
    contract = factories.contract(customer.id, standard.code, date(2026, 1, 1))
    url = f"/finance/contracts/{contract.id}"
    page = finance.get(url).get_data(as_text=True)
    assert "laptop-usd" not in page.split('aria-label="Change the plan"', 1)[1]  # another currency
    changed = post_form(finance, f"{url}/plan-changes", {"plan_code": pro.code, "from_date": "2026-12-01"})
    assert changed.status_code == 302, changed.get_data(as_text=True)
    page = finance.get(url).get_data(as_text=True)
    assert "From 2026-12-01 the contract is on laptop-pro-36." in page
    assert _text(page, "contract-plans") == (
        "Plan From Until Minimum set "
        "laptop-std-36 (today) 2026-01-01 2026-12-01 — laptop-pro-36 2026-12-01 — —"
    )
    extended = post_form(finance, f"{url}/extend", {"months": "6", "plan_code": ""})
    assert extended.status_code == 302
    assert "The contract now ends on 2029-07-01." in finance.get(url).get_data(as_text=True)
    refused = post_form(finance, f"{url}/plan-changes", {"plan_code": pro.code, "from_date": "2025-01-01"})
    assert refused.status_code == 422
    db.session.expire_all()
    assert [row.plan.code for row in db.session.get(Contract, contract.id).plans] == [standard.code, pro.code]


def test_finance_previews_an_early_termination_then_confirms_what_it_saw(finance):
    from daas.charges.models import OneOffCharge

    plan = factories.plan(minimum_monthly_amount=Decimal("500.00"))
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    url = f"/finance/contracts/{contract.id}"
    page = finance.get(f"{url}?terminate_on=2027-01-15").get_data(as_text=True)
    # 23 whole months from 2027-01-15 to 2029-01-01, half of the 500.00 minimum each.
    assert _text(page, "termination-amount") == "5,750.00 EUR"
    assert "Remaining whole months</dt><dd>23</dd>" in page
    assert db.session.scalars(select(OneOffCharge)).all() == []  # a preview changes nothing

    stale = post_form(finance, f"{url}/terminate", {"end_date": "2027-01-15", "amount": "4000.00"})
    assert stale.status_code == 422
    assert "The charge is now 5750.00 EUR, not 4000.00" in stale.get_data(as_text=True)
    done = post_form(finance, f"{url}/terminate", {"end_date": "2027-01-15", "amount": "5750.00"})
    assert done.status_code == 302, done.get_data(as_text=True)
    page = finance.get(url).get_data(as_text=True)
    assert "The contract ends on 2027-01-15; an early-termination charge of 5750.00 EUR is added." in page
    charge = db.session.scalars(select(OneOffCharge)).one()
    assert (charge.kind, charge.amount, charge.status) == ("early_termination", Decimal("5750.00"), "pending")
    assert "Terminate early" not in page
    bad = finance.get(f"/finance/contracts/{factories.contract().id}?terminate_on=2031-01-01").get_data(
        as_text=True
    )
    assert 'id="terminate-error"' in bad
