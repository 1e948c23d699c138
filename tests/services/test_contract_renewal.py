"""Auto-renewal and end-of-term notices, as finance and customers use them: the settings through the API,
the daily round, the CLI, the return orders it spares, and two rounds at once on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from daas.contracts.models import Contract, ContractRenewal
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.extensions import db
from daas.logistics.models import ReturnOrder
from daas.usecases.contracts import renew_due_contracts
from daas.usecases.logistics import plan_end_of_term_returns
from tests import factories
from tests.helpers import assert_error, bearer


@pytest.fixture
def customer(database):
    return factories.customer()


def _contract(client, tokens, customer, **body):
    payload = {
        "customer_id": customer.id,
        "plan_code": factories.plan().code,
        "start_date": "2024-03-01",
        **body,
    }
    response = client.post("/api/v1/contracts", json=payload, headers=bearer(tokens["admin"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_contract_signed_with_auto_renewal_shows_its_settings_and_notices(client, tokens, customer, today):
    contract = _contract(client, tokens, customer, end_date="2027-03-01", renews=True, renewal_months=24)
    assert (contract["renews"], contract["renewal_months"], contract["renewal_notice_days"]) == (True, 24, 90)
    assert contract["will_renew"] is True
    assert contract["notices"] == [
        {"days_before": 90, "due_on": "2026-12-01"},
        {"days_before": 60, "due_on": "2026-12-31"},
        {"days_before": 30, "due_on": "2027-01-30"},
    ]
    assert contract["renewals"] == []
    plain = _contract(client, tokens, customer)
    assert (plain["renews"], plain["renewal_months"], plain["will_renew"]) == (False, 12, False)


def test_renewal_settings_are_checked(client, tokens, customer, today):
    url = "/api/v1/contracts"
    body = {"customer_id": customer.id, "plan_code": factories.plan().code, "start_date": "2026-01-01"}
    assert_error(
        client.post(url, json={**body, "renewal_months": 0}, headers=bearer(tokens["admin"])),
        422,
        "renewal_months",
    )
    assert_error(
        client.post(url, json={**body, "renewal_notice_days": 400}, headers=bearer(tokens["admin"])),
        422,
        "renewal_notice_days",
    )
    contract = _contract(client, tokens, customer)
    patch = client.patch(f"{url}/{contract['id']}", json={"renews": "maybe"}, headers=bearer(tokens["admin"]))
    assert_error(patch, 422, "renews")
    assert db.session.get(Contract, contract["id"]).renews is False


def test_turning_renewal_off_in_time_ends_the_contract_and_late_renews_once(client, tokens, customer):
    with clock.frozen(date(2026, 11, 15)):
        on_time = _contract(client, tokens, customer, end_date="2027-03-01", renews=True)
        late = _contract(client, tokens, customer, end_date="2027-02-01", renews=True)
        headers = bearer(tokens["admin"])
        stopped = client.patch(f"/api/v1/contracts/{on_time['id']}", json={"renews": False}, headers=headers)
        assert stopped.status_code == 200, stopped.get_json()
        # 2027-02-01 - 90 days = 2026-11-03: the stop on 2026-11-15 came too late for this renewal.
        too_late = client.patch(f"/api/v1/contracts/{late['id']}", json={"renews": False}, headers=headers)
    assert (stopped.get_json()["will_renew"], stopped.get_json()["renewal_stopped_on"]) == (
        False,
        "2026-11-15",
    )
    assert (too_late.get_json()["renews"], too_late.get_json()["will_renew"]) == (False, True)

    report = renew_due_contracts(date(2027, 1, 31), "test")  # the late one's last day
    assert report.renewed == [(late["id"], date(2028, 2, 1))]
    renewed = db.session.get(Contract, late["id"])
    assert (renewed.end_date, renewed.renewal_stopped_on, renewed.renews) == (date(2028, 2, 1), None, False)
    assert renew_due_contracts(date(2028, 1, 31), "test").renewed == []  # the stop holds for the next term
    assert renew_due_contracts(date(2027, 2, 28), "test").renewed == []
    assert db.session.get(Contract, on_time["id"]).end_date == date(2027, 3, 1)


def test_the_round_renews_on_the_last_day_once_and_catches_up_missed_terms(client, tokens, customer):
    with clock.frozen(date(2026, 11, 15)):
        contract = _contract(client, tokens, customer, end_date="2027-03-01", renews=True, renewal_months=6)
    assert renew_due_contracts(date(2027, 2, 27), "test").renewed == []
    assert renew_due_contracts(date(2027, 2, 28), "test").renewed == [(contract["id"], date(2027, 9, 1))]
    assert renew_due_contracts(date(2027, 2, 28), "test").renewed == []  # run again: nothing twice
    # No round ran for a year: it renews term after term until the contract runs past the day.
    assert renew_due_contracts(date(2028, 3, 10), "test").renewed == [(contract["id"], date(2028, 9, 1))]
    with clock.frozen(date(2028, 3, 10)):
        shown = client.get(f"/api/v1/contracts/{contract['id']}", headers=bearer(tokens["admin"])).get_json()
    assert shown["end_date"] == "2028-09-01" and shown["status"] == "active"
    assert shown["renewals"] == [
        {"from_end_date": "2027-03-01", "to_end_date": "2027-09-01", "months": 6},
        {"from_end_date": "2027-09-01", "to_end_date": "2028-03-01", "months": 6},
        {"from_end_date": "2028-03-01", "to_end_date": "2028-09-01", "months": 6},
    ]


def test_a_terminated_contract_does_not_renew(client, tokens, customer):
    with clock.frozen(date(2026, 11, 15)):
        contract = _contract(client, tokens, customer, end_date="2027-03-01", renews=True)
        ended = client.post(
            f"/api/v1/contracts/{contract['id']}/terminate?confirm=true",
            json={"end_date": "2027-01-01"},
            headers=bearer(tokens["admin"]),
        )
    assert ended.status_code == 200, ended.get_json()
    assert ended.get_json()["will_renew"] is False
    assert renew_due_contracts(date(2026, 12, 31), "test").renewed == []
    assert db.session.get(Contract, contract["id"]).end_date == date(2027, 1, 1)


def test_a_renewing_contract_gets_no_end_of_term_return_order(client, tokens, database):
    customer = factories.customer(pickup_region="NL-NH", pickup_address="Keizersgracht 1, Amsterdam")
    plan = factories.plan()
    renewing = factories.contract(
        customer.id, plan.code, date(2024, 1, 1), end_date=date(2027, 1, 1), renews=True
    )
    ending = factories.contract(customer.id, plan.code, date(2024, 1, 1), end_date=date(2027, 1, 1))
    model = factories.device_model()
    for index, contract in enumerate((renewing, ending)):
        device = factories.device(model.sku, serial=f"RNW-{index}", on=date(2023, 12, 1))
        deploy_device(contract.id, device.serial, date(2024, 1, 1), "test")
    plan_end_of_term_returns(date(2026, 12, 1), 60, 14, "test")
    orders = db.session.scalars(select(ReturnOrder)).all()
    assert [order.contract_id for order in orders] == [ending.id]


def test_the_cli_renews_what_is_due(app, database):
    contract = factories.contract(start_date=date(2024, 1, 1), end_date=date(2027, 1, 1), renews=True)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["daas", "contracts", "renew", "--as-of", "2026-12-31"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Renewal: renewed: 1, failed: 0\ncontract {contract.id}: renewed to 2028-01-01\n"
    db.session.rollback()  # the command committed its round
    assert db.session.get(Contract, contract.id).end_date == date(2028, 1, 1)


@pytest.mark.postgres
def test_two_rounds_at_once_renew_a_contract_once(committed):
    app = committed
    with app.app_context():
        contract = factories.contract(start_date=date(2024, 1, 1), end_date=date(2027, 1, 1), renews=True)
        db.session.commit()
        contract_id = contract.id
    barrier = threading.Barrier(2)
    reports: list[object] = [None, None]

    def round_(index):
        with app.app_context():
            barrier.wait()
            try:
                reports[index] = renew_due_contracts(date(2026, 12, 31), f"scheduler-{index}")
            except Exception as error:  # the test reports it below rather than losing it in the thread
                reports[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=round_, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not isinstance(report, Exception) for report in reports), reports
    assert sorted(len(report.renewed) for report in reports) == [0, 1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContractRenewal)) == 1
        assert db.session.get(Contract, contract_id).end_date == date(2028, 1, 1)
