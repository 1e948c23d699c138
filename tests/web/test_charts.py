"""What the pages ask Chart.js to draw: charts of counts have whole-number ticks, and invoiced amounts in
two currencies are two charts, one per currency, never one axis for both (tests/browser draws them)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from html import unescape

from daas.billing.invoices import finalize_run
from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, documents, usage, worked_example_plan
from tests.web.helpers import signed_in


def charts(response) -> list[dict]:
    return [
        json.loads(unescape(raw))
        for raw in re.findall(r'data-chart="([^"]+)"', response.get_data(as_text=True))
    ]


def test_the_devices_received_per_week_have_whole_ticks(app, database, today) -> None:
    contract = factories.contract()
    serial = factories.device().serial
    deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
    end_deployment(contract.id, serial, date(2026, 11, 10), "tests")
    db.session.commit()
    client, _ = signed_in(app, "logistics")
    [chart] = charts(client.get("/logistics"))
    assert chart["integer"] is True and chart["datasets"][0]["data"][-1] == 1  # the week of 2026-11-09


def test_usage_counts_have_whole_ticks_and_sums_need_not(app, database, today) -> None:
    plan, tickets, swaps = worked_example_plan()
    swaps.name = "Express swaps"
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    usage(contract, tickets, at(2026, 11, 3))
    usage(contract, swaps, at(2026, 11, 3), quantity=Decimal("0.5"))
    db.session.commit()
    client, _ = signed_in(app, "customer", contract.customer_id)
    drawn = {
        chart["datasets"][0]["label"]: chart
        for chart in charts(client.get(f"/portal/subscriptions/{contract.id}"))
    }
    assert drawn[tickets.name]["integer"] is True
    assert drawn[swaps.name]["integer"] is False


def test_amounts_in_two_currencies_are_two_charts(app, database, today) -> None:
    for currency, country in (("EUR", "NL"), ("USD", "US")):
        plan = factories.plan(currency=currency)
        customer = factories.customer(currency=currency, country=country)
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy_device(contract.id, factories.device().serial, date(2026, 2, 1), "tests")
    finalize_run(bill(OCTOBER).id, documents())
    db.session.commit()
    client, _ = signed_in(app, "finance")
    drawn = charts(client.get("/finance"))
    assert sorted(chart["unit"] for chart in drawn) == ["EUR", "USD"]
    for chart in drawn:
        assert [dataset["label"] for dataset in chart["datasets"]] == [chart["unit"]]
