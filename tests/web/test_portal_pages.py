"""The customer portal with the Flask test client: what a customer's IT manager sees and does, and that
nothing of another customer is ever shown."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.periods import Period
from daas.devices.models import Device
from daas.extensions import db
from daas.impact.statements import contract_statement
from daas.logistics import sales, slots
from daas.logistics.models import PickupSlot, RefreshOrder, ReturnOrder
from daas.logistics.refresh import approve_refresh, complete_refresh, due_date_of, plan_refresh_orders
from daas.logistics.rules import UpgradePolicy
from daas.web.portal import queries
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, documents, usage, worked_example_plan
from tests.impact_helpers import build_worked_example
from tests.web.helpers import post_form, signed_in

REGION = "NL-AMS"
ADDRESS = "Keizersgracht 10, 1015 CN Amsterdam"
POLICY = UpgradePolicy(min_battery=80, extension_months=12)


def text_of(response) -> str:
    """The page with whitespace collapsed and dates as their text (a <time> element keeps them whole)."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"</?time[^>]*>", "", response.get_data(as_text=True))))


def charts(response) -> list[dict]:
    return [
        json.loads(unescape(raw))
        for raw in re.findall(r'data-chart="([^"]+)"', response.get_data(as_text=True))
    ]


@pytest.fixture
def account(app, database, today):
    """A Dutch customer on a 24-month refresh cycle: HEALTHY (deployed 2025-01-15, due 2027-01-15, an
    upgrade is proposed) and WORN (deployed 2025-06-01); usage in October and November; October invoiced
    (605.00 EUR: the 500.00 minimum plus 21% VAT); pickup slots in its region; and a spare in stock."""
    model = factories.device_model(sku=factories.unique("LAT"), expected_lifetime_months=60)
    plan, tickets, swaps = worked_example_plan(refresh_cycle_months=24, term_months=48)
    swaps.name = "Express swaps"
    customer = factories.customer(
        name="Grachten Advies B.V.",
        pickup_region=REGION,
        pickup_address=ADDRESS,
        address_line1="Herengracht 500",  # where a replacement for a device that serves no one goes
        postcode="1017 CB",
        city="Amsterdam",
    )
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    serials = {}
    for name, deployed_on, battery in (("HEALTHY", date(2025, 1, 15), 91), ("WORN", date(2025, 6, 1), 64)):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, deployed_on, "tests")
        serials[name] = device.serial
    factories.device(model.sku, on=date(2026, 7, 1))  # a spare in stock
    usage(contract, tickets, at(2026, 10, 3), at(2026, 10, 5), at(2026, 11, 2))
    usage(contract, swaps, at(2026, 11, 3), quantity=Decimal(2))
    finalize_run(bill(OCTOBER).id, documents())
    with clock.frozen(date(2026, 12, 1)):  # November can be billed once it has ended
        bill(Period.parse("2026-11"))  # a November draft: never shown to the customer
    slots.create_slot(REGION, date(2026, 11, 18), 2)
    slots.create_slot(REGION, date(2026, 11, 20), 0)  # full
    slots.create_slot(REGION, date(2026, 12, 20), 5)  # beyond the 14-day booking window
    slots.create_slot("DE-BE", date(2026, 11, 19), 5)  # another region
    plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    db.session.commit()  # a savepoint: a page that rolls back a failed change keeps the fixture's data
    client, user = signed_in(app, "customer", customer.id)
    order = db.session.scalar(select(RefreshOrder).where(RefreshOrder.contract_id == contract.id))
    return SimpleNamespace(
        client=client,
        user=user,
        customer=customer,
        contract=contract,
        plan=plan,
        tickets=tickets,
        swaps=swaps,
        model=model,
        serials=serials,
        refresh_order=order,
        invoice=db.session.scalar(
            select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == "2026-10")
        ),
    )


@pytest.fixture
def stranger(app, database, today):
    """Another customer, with its own subscription, device, invoice, refresh order and return order."""
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    customer = factories.customer(name="Andere Klant B.V.", pickup_region=REGION, pickup_address="Elders 1")
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    device = factories.device(manufactured_on=date(2024, 10, 1), battery_health=90, on=date(2024, 12, 1))
    deploy_device(contract.id, device.serial, date(2025, 1, 10), "tests")
    finalize_run(bill(OCTOBER).id, documents())
    plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    from daas.logistics.returns import create_return_order

    order = create_return_order(
        contract.id, [device.serial], "defect", date(2026, 11, 16), REGION, "Elders 1", "tests", 14
    )
    db.session.commit()
    return SimpleNamespace(
        contract=contract,
        invoice=db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id)),
        refresh_order=db.session.scalar(select(RefreshOrder).where(RefreshOrder.contract_id == contract.id)),
        return_order=order,
    )


# -- overview and navigation ---------------------------------------------------------------------------------


def test_the_overview_shows_subscriptions_usage_invoices_refreshes_and_pickups(account) -> None:
    response = account.client.get("/portal")
    assert response.status_code == 200
    page = text_of(response)
    assert "Your devices at a glance" in page
    assert '<span class="value">2</span><span class="label">Devices in service</span>' in page
    assert "605.00 EUR" in page and "Due on 1 open invoice(s)" in page
    assert '<span class="value">1</span><span class="label">Refreshes waiting' in page
    assert f"#{account.contract.id}" in page and "2027-01-15" in page  # the earliest next refresh
    # November so far: one ticket (count) and two express swaps (sum)
    assert re.search(rf"{account.tickets.name}</td><td class=\"num\">1</td>", page)
    assert re.search(rf"{account.swaps.name}</td><td class=\"num\">2</td>", page)
    assert account.invoice.number in page
    assert "Upgrade" in page and "battery 91%" in page
    assert "No pickup is scheduled." in page


def test_the_menu_lists_the_customer_s_sections_in_order_and_marks_the_current_one(account) -> None:
    page = account.client.get("/portal/invoices").get_data(as_text=True)
    labels = re.findall(r'<li><a href="[^"]+"(?: aria-current="page")?>([^<]+)</a></li>', page)
    assert labels == [
        "Overview",
        "Subscriptions",
        "People",
        "Order devices",
        "Orders",
        "Invoices",
        "Statement",
        "Refreshes",
        "Returns",
        "Plan your fleet",
        "Sustainability report",
        "How you pay",
        "Notifications",
        "Webhooks",
    ]
    assert 'aria-current="page">Invoices<' in page


def test_staff_may_not_open_the_portal(app, database) -> None:
    client, _ = signed_in(app, "admin")
    assert client.get("/portal").status_code == 403
    assert client.get("/portal/invoices").status_code == 403


def test_a_customer_without_anything_sees_empty_states(app, database, today) -> None:
    client, _ = signed_in(app, "customer", factories.customer().id)
    page = text_of(client.get("/portal"))
    assert "You have no active subscription." in page and "No open invoices" in page
    assert "No invoices yet" in text_of(client.get("/portal/invoices"))
    assert "No returns yet" in text_of(client.get("/portal/returns"))
    assert "No refresh waits for your decision." in text_of(client.get("/portal/refresh-orders"))
    response = client.get("/portal/returns/new")
    assert response.status_code == 302
    assert "no active subscription" in text_of(client.get(response.headers["Location"]))


# -- subscriptions ------------------------------------------------------------------------------------------


def test_a_subscription_shows_its_devices_with_their_next_refresh_and_usage_by_month(account) -> None:
    response = account.client.get(f"/portal/subscriptions/{account.contract.id}")
    assert response.status_code == 200
    page = text_of(response)
    healthy, worn = account.serials["HEALTHY"], account.serials["WORN"]
    assert re.search(
        rf"{healthy}</th> <td>Dell Latitude 5430</td> <td>.*?deployed.*?</td> <td>2025-01-15</td>", page
    )
    assert "2027-01-15" in page and "refresh open, 2027-01-15" in page  # HEALTHY has its refresh order
    assert re.search(rf"{worn}</th>.*?<td>2025-06-01</td> <td>2027-06-01", page)
    specs = {spec["datasets"][0]["label"]: spec for spec in charts(response)}
    tickets = specs[account.tickets.name]
    assert tickets["labels"][0] == "2025-12" and tickets["labels"][-1] == "2026-11"
    assert tickets["datasets"][0]["data"][-2:] == ["2", "1"]  # October: 2 tickets, November so far: 1
    assert specs[account.swaps.name]["datasets"][0]["data"][-1] == "2"
    assert "2026-11 so far" in page


def test_the_subscription_list_shows_status_devices_and_next_refresh(account) -> None:
    page = text_of(account.client.get("/portal/subscriptions"))
    assert f"#{account.contract.id}" in page and "active" in page
    assert re.search(r'<td class="num">2</td> <td>2027-01-15</td>', page)


def test_usage_is_aggregated_as_billing_does_per_metric(account) -> None:
    peak = factories.metric(code=factories.unique("peak"), aggregation="max")
    users = factories.metric(code=factories.unique("users"), aggregation="unique_count", field="user")
    usage(account.contract, peak, at(2026, 11, 1), quantity=Decimal("3.5"))
    usage(account.contract, peak, at(2026, 11, 2), quantity=Decimal("5.25"))
    for name in ("ann", "bob", "ann"):
        usage(account.contract, users, at(2026, 11, 4), user=name)
    months = queries.last_months(date(2026, 11, 15), 2)
    metrics = queries.metrics_of([account.contract.id])[account.contract.id]
    assert {peak.id, users.id, account.tickets.id, account.swaps.id} <= {metric.id for metric in metrics}
    by_month = queries.usage_by_month(account.contract.id, metrics, months)
    assert by_month[peak.id] == [Decimal(0), Decimal("5.25")]
    assert by_month[users.id] == [Decimal(0), Decimal(2)]
    assert by_month[account.tickets.id] == [Decimal(2), Decimal(1)]


def test_the_next_refresh_moves_with_an_upgrade_as_the_planner_counts_it(account) -> None:
    order = account.refresh_order
    approve_refresh(order.id, "upgrade", "tests", 14)
    complete_refresh(order.id, date(2026, 11, 15), "tests", POLICY)
    figures = queries.subscription_figures([account.contract.id])[account.contract.id]
    deployments = db.session.scalars(select(Deployment).where(Deployment.contract_id == account.contract.id))
    dues = sorted(due_date_of(deployment, 24) for deployment in deployments)
    assert dues == [date(2027, 6, 1), date(2028, 1, 15)]
    assert figures.devices == 2 and figures.next_refresh == date(2027, 6, 1) == dues[0]


def test_a_contracts_own_refresh_cycle_moves_the_next_refresh_on_its_pages(account) -> None:
    account.contract.refresh_cycle_months = 30  # a what-if scenario applied: 30 months, not the plan's 24
    db.session.commit()
    figures = queries.subscription_figures([account.contract.id])[account.contract.id]
    assert figures.next_refresh == date(2027, 7, 15)  # HEALTHY: 2025-01-15 + 30 months
    page = text_of(account.client.get(f"/portal/subscriptions/{account.contract.id}"))
    assert "devices are refreshed every 30 months" in page
    assert re.search(rf"{account.serials['WORN']}</th>.*?<td>2025-06-01</td> <td>2027-12-01", page)


def test_the_impact_statement_has_charts_totals_and_a_pdf(app, database, today) -> None:
    """impact.md's worked example: the customer's subscription B had the laptop in its second life."""
    customer, other = factories.customer(), factories.customer()
    example = build_worked_example((other.id, customer.id, other.id))
    db.session.commit()
    client, _ = signed_in(app, "customer", customer.id)
    response = client.get(f"/portal/subscriptions/{example['B']}/impact")
    assert response.status_code == 200
    statement = contract_statement(example["B"], None, None, today, customer.id)
    assert statement["avoided_ewaste_kg"] > 0 and statement["avoided_co2e_kg"] > 0
    page = text_of(response)
    assert f'id="avoided-ewaste">{statement["avoided_ewaste_kg"]} kg' in page
    assert f'id="avoided-co2e">{statement["avoided_co2e_kg"]} kg' in page
    assert '<span class="value">1</span><span class="label">Of them in a second or later life' in page
    assert example["serial"] in page
    ewaste, co2e = charts(response)
    assert ewaste["unit"] == co2e["unit"] == "kg"
    assert ewaste["labels"] == [row["period"] for row in statement["by_period"]]
    cumulative = [Decimal(value) for value in ewaste["datasets"][0]["data"]]
    monthly = [Decimal(value) for value in ewaste["datasets"][1]["data"]]
    assert (
        cumulative == sorted(cumulative) and cumulative[-1] == sum(monthly) == statement["avoided_ewaste_kg"]
    )
    assert Decimal(co2e["datasets"][0]["data"][-1]) == statement["avoided_co2e_kg"]
    pdf = client.get(f"/portal/subscriptions/{example['B']}/impact.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get(f"/portal/subscriptions/{example['A']}/impact").status_code == 404  # the other's


def test_the_impact_page_shows_what_a_bought_out_device_transferred_beside_the_allocation(
    app, database, today
) -> None:
    """impact.md's laptop bought by its customer after 1,000 days: 205.479 kg carried, 94.521 kg left."""
    customer = factories.customer()
    laptop = factories.device_model(embodied_co2e_kg=Decimal("300"), weight_kg=Decimal("1.5"))
    contract = factories.contract(customer.id, factories.plan(term_months=60).code, date(2023, 1, 1))
    serial = factories.device(laptop.sku, on=date(2023, 1, 1)).serial
    sold_on = date(2026, 11, 10)
    deploy_device(contract.id, serial, sold_on - timedelta(days=1000), "tests")
    sales.sell_device(contract.id, serial, sold_on, "buy-out charge 7", "tests")
    db.session.commit()
    client, _ = signed_in(app, "customer", customer.id)
    page = text_of(client.get(f"/portal/subscriptions/{contract.id}/impact"))
    assert 'id="allocated-co2e">205.479 kg' in page and 'id="allocated-mass">1.027 kg' in page
    assert 'id="transferred-co2e">94.521 kg' in page and 'id="transferred-mass">0.473 kg' in page
    assert "Bought out: CO2e transferred (kg)" in page
    assert 'id="avoided-co2e">0.000 kg' in page  # a sale avoids nothing


def test_an_impact_page_without_a_buy_out_shows_no_transfer(account) -> None:
    page = text_of(account.client.get(f"/portal/subscriptions/{account.contract.id}/impact"))
    assert 'id="allocated-co2e">' in page
    assert "transferred-co2e" not in page and "Bought out" not in page


def test_an_impact_statement_of_months_not_closed_says_they_are_provisional(account) -> None:
    page = text_of(account.client.get(f"/portal/subscriptions/{account.contract.id}/impact"))
    assert "Provisional: 2025-01 to 2026-11 (23 months) are not closed yet" in page


# -- invoices -----------------------------------------------------------------------------------------------


def test_invoices_show_amounts_due_and_payment_state_never_drafts(account) -> None:
    page = text_of(account.client.get("/portal/invoices"))
    assert account.invoice.number in page
    assert "605.00 EUR" in page and "Awaiting bank transfer" in page
    assert page.count("Download INV-") == 1  # the November draft is not shown
    assert "2026-11</td>" not in page
    paid = text_of(account.client.get("/portal/invoices?status=paid"))
    assert "No invoice has this status." in paid


def test_an_invoice_pdf_downloads(account) -> None:
    response = account.client.get(f"/portal/invoices/{account.invoice.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert account.invoice.number in response.headers["Content-Disposition"]


def test_a_draft_invoice_pdf_is_not_found(account) -> None:
    draft = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == account.contract.id, Invoice.status == "draft")
    )
    assert account.client.get(f"/portal/invoices/{draft.id}.pdf").status_code == 404


def test_the_payment_state_says_how_an_invoice_is_being_paid() -> None:
    today = date(2026, 11, 15)

    def invoice(**values):
        defaults = {"status": "open", "due_date": date(2026, 11, 30), "collection_method": "bank_transfer"}
        return SimpleNamespace(**{"paid_at": None, "failed_attempts": 0, **defaults, **values})

    assert queries.payment_state(invoice(), today) == "Awaiting bank transfer"
    assert queries.payment_state(invoice(collection_method="card"), today) == "Card payment scheduled"
    assert (
        queries.payment_state(invoice(collection_method="card", failed_attempts=2), today)
        == "Card payment scheduled; 2 card attempt(s) failed"
    )
    assert queries.payment_state(invoice(due_date=date(2026, 11, 14)), today) == "Overdue since 2026-11-14"
    assert queries.payment_state(invoice(due_date=today), today) == "Awaiting bank transfer"
    assert queries.payment_state(invoice(status="void"), today) == "Void: nothing to pay"
    assert queries.payment_state(invoice(status="uncollectible"), today).startswith("Not collected")


def test_the_amount_due_adds_up_open_invoices(account) -> None:
    assert queries.amount_due(account.customer.id) == {"EUR": Decimal("605.00")}


# -- refresh orders -----------------------------------------------------------------------------------------


def test_refresh_orders_waiting_show_the_proposal_and_its_reason(account) -> None:
    page = text_of(account.client.get("/portal/refresh-orders"))
    assert account.serials["HEALTHY"] in page and "2027-01-15" in page
    assert "Upgrade: battery 91%" in page
    assert "No refresh orders here." in text_of(account.client.get("/portal/refresh-orders?status=approved"))


def test_a_customer_approves_an_upgrade(account) -> None:
    url = f"/portal/refresh-orders/{account.refresh_order.id}"
    response = post_form(account.client, url + "/approve", {"action": "upgrade"}, form_page=url)
    assert response.status_code == 302 and response.headers["Location"] == url
    page = text_of(account.client.get(url))
    assert f"Approved: device {account.serials['HEALTHY']} will be upgraded around 2027-01-15." in page
    assert "approved" in page and "Move the date" in page and "Approve</button>" not in page
    order = db.session.get(RefreshOrder, account.refresh_order.id)
    assert (order.status, order.action, order.decided_by) == ("approved", "upgrade", account.user.email)


def test_a_customer_approves_a_replacement_with_another_model_and_the_old_device_is_returned(account) -> None:
    newer = factories.device_model(sku=factories.unique("LAT-7450"), name="Latitude 7450")
    url = f"/portal/refresh-orders/{account.refresh_order.id}"
    assert f"Dell Latitude 7450 ({newer.sku})" in text_of(account.client.get(url))
    response = post_form(
        account.client, url + "/approve", {"action": "replace", "replacement_sku": newer.sku}, form_page=url
    )
    assert response.status_code == 302
    order = db.session.get(RefreshOrder, account.refresh_order.id)
    assert (order.status, order.action, order.replacement_sku) == ("approved", "replace", newer.sku)
    returned = db.session.scalar(select(ReturnOrder).where(ReturnOrder.refresh_order_id == order.id))
    assert returned.reason == "refresh" and returned.address == ADDRESS
    assert f"return order #{returned.id} collects the old one" in text_of(account.client.get(url))


def test_an_approval_without_a_choice_is_refused_beside_the_field(account) -> None:
    url = f"/portal/refresh-orders/{account.refresh_order.id}"
    response = post_form(account.client, url + "/approve", {}, form_page=url)
    assert response.status_code == 422
    assert 'id="action-error">Choose upgrade or replace.' in response.get_data(as_text=True)
    assert db.session.get(RefreshOrder, account.refresh_order.id).status == "open"


def test_a_refresh_is_rescheduled_but_not_into_the_past(account) -> None:
    url = f"/portal/refresh-orders/{account.refresh_order.id}"
    refused = post_form(account.client, url + "/reschedule", {"due_date": "2026-11-01"}, form_page=url)
    assert refused.status_code == 422
    assert 'id="due_date-error">Must not be in the past.' in refused.get_data(as_text=True)
    moved = post_form(account.client, url + "/reschedule", {"due_date": "2027-02-01"}, form_page=url)
    assert moved.status_code == 302
    assert "is moved to 2027-02-01" in text_of(account.client.get(url))
    assert db.session.get(RefreshOrder, account.refresh_order.id).due_date == date(2027, 2, 1)


def test_an_approved_refresh_cannot_be_approved_again(account) -> None:
    url = f"/portal/refresh-orders/{account.refresh_order.id}"
    token_page = url  # the form is there while the order is open
    from tests.web.helpers import csrf_token

    token = csrf_token(account.client, token_page)
    account.client.post(url + "/approve", data={"csrf_token": token, "action": "upgrade"})
    again = account.client.post(url + "/approve", data={"csrf_token": token, "action": "replace"})
    assert again.status_code == 422
    assert "is approved; it can be approved only when open" in text_of(again)


# -- returns ------------------------------------------------------------------------------------------------


def test_the_return_form_offers_deployed_devices_and_free_dates_of_the_region(account) -> None:
    page = text_of(account.client.get("/portal/returns/new"))
    assert account.serials["HEALTHY"] in page and account.serials["WORN"] in page
    assert "2026-11-18 (Wednesday): 2 place(s) left" in page
    assert "2026-11-20" not in page  # full
    assert "2026-12-20" not in page  # beyond the booking window
    assert "2026-11-19" not in page  # another region
    assert ADDRESS in page
    other = text_of(account.client.get(f"/portal/returns/new?contract={account.contract.id}&region=DE-BE"))
    assert "2026-11-19 (Thursday): 5 place(s) left" in other and "2026-11-18" not in other


def test_free_pickup_dates_are_slots_with_room_in_the_region_and_window(account) -> None:
    free = queries.free_pickup_dates(REGION, date(2026, 11, 15), date(2026, 11, 29))
    assert [(item.day, item.places_left) for item in free] == [(date(2026, 11, 18), 2)]


def test_a_customer_books_a_return_on_a_free_date(account) -> None:
    serial = account.serials["WORN"]
    data = {
        "contract_id": account.contract.id,
        "region": REGION,
        "serials": [serial],
        "reason": "defect",
        "address": "Herengracht 5, Amsterdam",
        "requested_date": "2026-11-18",
    }
    response = post_form(account.client, "/portal/returns/new", data)
    assert response.status_code == 302 and response.headers["Location"] == "/portal/returns"
    page = text_of(account.client.get("/portal/returns"))
    order = db.session.scalar(select(ReturnOrder).where(ReturnOrder.contract_id == account.contract.id))
    assert f"Return #{order.id} of 1 device(s) is booked: pickup on 2026-11-18." in page
    assert (order.status, order.slot.date, order.reason, order.address) == (
        "scheduled",
        date(2026, 11, 18),
        "defect",
        "Herengracht 5, Amsterdam",
    )
    assert db.session.scalar(select(Device.status).where(Device.serial == serial)) == "return_scheduled"
    assert db.session.scalar(select(PickupSlot.booked).where(PickupSlot.id == order.slot_id)) == 1
    assert re.search(rf"{serial}</td> <td>defect</td> <td>.*?scheduled.*?</td> <td>2026-11-18</td>", page)
    # the device is on a return now: it is no longer offered
    assert serial not in text_of(account.client.get("/portal/returns/new"))


def test_a_return_without_devices_or_date_is_refused_beside_the_fields(account) -> None:
    data = {"contract_id": account.contract.id, "region": REGION, "reason": "defect", "address": ADDRESS}
    response = post_form(account.client, "/portal/returns/new", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="serials-error">Choose at least one device.' in html
    assert 'id="requested_date-error">Choose a pickup date.' in html
    assert db.session.scalar(select(ReturnOrder.id)) is None


def test_a_date_that_is_not_free_is_refused(account) -> None:
    data = {
        "contract_id": account.contract.id,
        "region": REGION,
        "serials": [account.serials["WORN"]],
        "reason": "defect",
        "address": ADDRESS,
        "requested_date": "2026-11-20",
    }
    response = post_form(account.client, "/portal/returns/new", data)
    assert response.status_code == 422 and 'id="requested_date-error"' in response.get_data(as_text=True)


def test_without_a_free_date_the_return_is_requested_for_logistics_to_schedule(account) -> None:
    data = {
        "contract_id": account.contract.id,
        "region": "NL-UT",
        "serials": [account.serials["WORN"]],
        "reason": "early_return",
        "address": ADDRESS,
        "requested_date": "asap",
    }
    response = post_form(account.client, "/portal/returns/new", data, follow_redirects=True)
    assert "No pickup date was free; logistics will schedule it" in text_of(response)
    order = db.session.scalar(select(ReturnOrder).where(ReturnOrder.contract_id == account.contract.id))
    assert (order.status, order.slot_id, order.requested_date) == ("requested", None, date(2026, 11, 15))


def test_a_customer_cancels_a_scheduled_return_and_the_place_is_freed(account) -> None:
    data = {
        "contract_id": account.contract.id,
        "region": REGION,
        "serials": [account.serials["WORN"]],
        "reason": "defect",
        "address": ADDRESS,
        "requested_date": "2026-11-18",
    }
    post_form(account.client, "/portal/returns/new", data)
    order = db.session.scalar(select(ReturnOrder).where(ReturnOrder.contract_id == account.contract.id))
    response = post_form(
        account.client, f"/portal/returns/{order.id}/cancel", {}, form_page="/portal/returns"
    )
    assert response.status_code == 302
    page = text_of(account.client.get("/portal/returns"))
    assert f"Return #{order.id} is cancelled; the devices stay with you." in page
    assert f"Cancel return #{order.id}" not in page
    assert db.session.get(ReturnOrder, order.id).status == "cancelled"
    assert db.session.scalar(select(PickupSlot.booked).where(PickupSlot.date == date(2026, 11, 18))) == 0
    assert (
        db.session.scalar(select(Device.status).where(Device.serial == account.serials["WORN"])) == "deployed"
    )


# -- another customer's objects, and forms without their token ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/portal/subscriptions/{contract}",
        "/portal/subscriptions/{contract}/impact",
        "/portal/subscriptions/{contract}/impact.pdf",
        "/portal/invoices/{invoice}.pdf",
        "/portal/refresh-orders/{refresh}",
        "/portal/returns/new?contract={contract}&region=NL-AMS",
    ],
)
def test_another_customer_s_objects_are_not_found(account, stranger, url) -> None:
    address = url.format(
        contract=stranger.contract.id, invoice=stranger.invoice.id, refresh=stranger.refresh_order.id
    )
    response = account.client.get(address)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "There is no such page, or it is not yours to see." in response.get_data(as_text=True)


def test_another_customer_s_orders_cannot_be_changed(account, stranger) -> None:
    own = f"/portal/refresh-orders/{account.refresh_order.id}"
    theirs = f"/portal/refresh-orders/{stranger.refresh_order.id}"
    assert (
        post_form(account.client, theirs + "/approve", {"action": "upgrade"}, form_page=own).status_code
        == 404
    )
    assert (
        post_form(
            account.client, theirs + "/reschedule", {"due_date": "2027-03-01"}, form_page=own
        ).status_code
        == 404
    )
    cancel = post_form(
        account.client, f"/portal/returns/{stranger.return_order.id}/cancel", {}, form_page="/portal/returns"
    )
    assert cancel.status_code == 302
    assert "No return order" in text_of(account.client.get("/portal/returns"))
    booking = {
        "contract_id": stranger.contract.id,
        "region": REGION,
        "serials": ["X"],
        "reason": "defect",
        "address": ADDRESS,
        "requested_date": "2026-11-18",
    }
    assert post_form(account.client, "/portal/returns/new", booking).status_code == 404
    assert db.session.get(RefreshOrder, stranger.refresh_order.id).status == "open"
    assert db.session.get(ReturnOrder, stranger.return_order.id).status == "scheduled"
    page = text_of(account.client.get("/portal/invoices"))
    assert stranger.invoice.number not in page


def test_a_form_posted_without_its_csrf_token_is_refused(account) -> None:
    url = f"/portal/refresh-orders/{account.refresh_order.id}/approve"
    response = account.client.post(url, data={"action": "upgrade"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert db.session.get(RefreshOrder, account.refresh_order.id).status == "open"
