"""Logistics pages through the Flask test client: the overview's figures, return orders and their steps,
the pickup calendar (capacity, bookings, the iCalendar link), devices by serial through wipe, grade,
disposition, restock and redeployment, and refresh orders to complete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from daas.contracts.services import deploy_device, end_deployment
from daas.devices.models import Device, HarvestedPart, WipeCertificate
from daas.extensions import db
from daas.logistics import refresh, returns, sales, slots
from daas.logistics.models import DeviceUpgrade, PickupSlot, RefreshOrder, ReturnOrder
from daas.logistics.rules import UpgradePolicy
from daas.web.logistics import queries
from tests import factories
from tests.web.helpers import post_form, signed_in

REGION = "DE-BE"
ADDRESS = "Friedrichstrasse 100, 10117 Berlin"
WIPE = {
    "method": "purge",
    "standard": "NIST SP 800-88 Rev. 1",
    "tool": "Blancco Drive Eraser",
    "verification": "full",
    "verified_by": "K. Braun",
}


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def flashes(response: Any) -> list[str]:
    return [
        re.sub(r"\s+", " ", m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', text(response))
    ]


def field_error(response: Any, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', text(response))
    assert match, f"no error beside {field_id}"
    return match.group(1)


def tile(response: Any, label: str) -> int:
    match = re.search(
        rf'<span class="value">(\d+)</span><span class="label">{re.escape(label)}', text(response)
    )
    assert match, f"no tile {label!r}"
    return int(match.group(1))


@pytest.fixture
def yard(app, database, today):
    """A Berlin customer with two laptops on a contract; slots today (2 places) and on the 20th (1); one
    return order for the first laptop, booked on today's slot."""
    model = factories.device_model(sku=factories.unique("DELL-LAT"))
    plan = factories.plan()
    customer = factories.customer(name="Baukontor GmbH", pickup_region=REGION, pickup_address=ADDRESS)
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    first = factories.device(model.sku, serial=factories.unique("SN-A"))
    second = factories.device(model.sku, serial=factories.unique("SN-B"))
    for device in (first, second):
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
    today_slot = slots.create_slot(REGION, today, 2)
    later_slot = slots.create_slot(REGION, date(2026, 11, 20), 1)
    order = returns.create_return_order(
        contract.id, [first.serial], "end_of_term", today, REGION, ADDRESS, "tests", 14
    )
    db.session.commit()
    client, user = signed_in(app, "logistics")
    return {
        "client": client,
        "user": user,
        "customer": customer,
        "contract": contract,
        "plan": plan,
        "model": model,
        "first": first,
        "second": second,
        "today_slot": today_slot,
        "later_slot": later_slot,
        "order": order,
    }


def _received(yard: dict[str, Any]) -> str:
    """The second laptop handed back today: received, ready to wipe."""
    serial = yard["second"].serial
    end_deployment(yard["contract"].id, serial, date(2026, 11, 15), "tests")
    db.session.commit()
    return serial


# -- overview -----------------------------------------------------------------------------------------------


def test_the_overview_shows_today_s_pickups_orders_by_state_and_the_warehouse_queue(yard) -> None:
    _received(yard)
    page = yard["client"].get("/logistics")
    assert page.status_code == 200
    assert tile(page, "today (") == 1
    assert 'today (<time datetime="2026-11-15">2026-11-15</time>)' in text(page)
    assert tile(page, "this week") == 1
    assert tile(page, "scheduled") == 1 and tile(page, "requested") == 0
    assert tile(page, "received: to be wiped") == 1
    assert "Baukontor GmbH" in text(page) and f"#{yard['order'].id}" in text(page)
    # the chart's table: one device received in the week starting Monday 2026-11-09
    assert re.search(r'<th scope="row">2026-11-09</th><td class="num">1</td>', text(page))
    labels, counts = queries.devices_received_per_week(date(2026, 11, 15), weeks=3)
    assert (labels, counts) == (["2026-10-26", "2026-11-02", "2026-11-09"], [0, 0, 1])


def test_the_menu_lists_the_logistics_sections_and_marks_the_current_one(yard) -> None:
    page = text(yard["client"].get("/logistics/calendar"))
    for label in ("Overview", "Return orders", "Pickup calendar", "Devices by serial", "Refreshes"):
        assert f">{label}</a>" in page
    assert 'href="/logistics/calendar" aria-current="page"' in page


# -- return orders ------------------------------------------------------------------------------------------


def test_return_orders_filter_by_state_and_region_and_page(yard) -> None:
    client, contract = yard["client"], yard["contract"]
    for _ in range(26):
        device = factories.device(yard["model"].sku)
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
        returns.create_return_order(
            contract.id, [device.serial], "defect", date(2026, 11, 15), "NL-NH", "Damrak 1", "tests", 14
        )
    db.session.commit()
    first_page = client.get("/logistics/returns?region=NL-NH&status=requested")
    assert "Page 1 of 2 (26 in all)" in text(first_page)
    assert text(first_page).count("<td>NL-NH</td>") == 25
    second_page = client.get("/logistics/returns?region=NL-NH&status=requested&page=2")
    assert text(second_page).count("<td>NL-NH</td>") == 1
    scheduled = text(client.get("/logistics/returns?status=scheduled"))
    assert f"#{yard['order'].id}</a>" in scheduled and "NL-NH" not in scheduled.split("<table")[1]
    assert "No return orders match." in text(client.get("/logistics/returns?status=closed"))


def test_a_return_order_offers_only_days_with_room_and_moves_its_booking(yard) -> None:
    client, order = yard["client"], yard["order"]
    url = f"/logistics/returns/{order.id}"
    page = text(client.get(url))
    assert "2026-11-20 (Fri): 1 of 1 free" in page
    assert '<option value="2026-11-15"' not in page  # its own day is not offered again
    moved = post_form(client, f"{url}/schedule", {"date": "2026-11-20"}, form_page=url)
    assert moved.status_code == 302
    assert "scheduled for pickup on 2026-11-20" in flashes(client.get(url))[0]
    assert (db.session.get(PickupSlot, yard["later_slot"].id).booked, yard["today_slot"].booked) == (1, 0)
    db.session.refresh(yard["today_slot"])
    assert yard["today_slot"].booked == 0


def test_a_full_slot_is_refused_beside_the_date(yard) -> None:
    client = yard["client"]
    other = returns.create_return_order(
        yard["contract"].id, [yard["second"].serial], "defect", date(2026, 11, 20), REGION, ADDRESS, "t", 14
    )
    db.session.commit()  # it took the only place on the 20th
    url = f"/logistics/returns/{yard['order'].id}"
    assert "2026-11-20" not in text(client.get(url)).split("Schedule")[-1].split("</select>")[0]
    refused = post_form(client, f"{url}/schedule", {"date": "2026-11-20"}, form_page=url)
    assert refused.status_code == 422
    assert field_error(refused, "date") == "The slot is full."
    assert db.session.get(ReturnOrder, yard["order"].id).slot_id == yard["today_slot"].id
    assert other.status == "scheduled"


def test_pick_up_and_receive_a_return_order(yard) -> None:
    client, order = yard["client"], yard["order"]
    url = f"/logistics/returns/{order.id}"
    future = post_form(client, f"{url}/pickup", {"picked_up_on": "2026-11-16"}, form_page=url)
    assert future.status_code == 422
    assert field_error(future, "picked_up_on") == "A pickup cannot be recorded in the future."
    done = post_form(
        client, f"{url}/pickup", {"picked_up_on": "2026-11-15", "carrier": "DHL", "tracking": "JJD01"}, url
    )
    assert done.status_code == 302
    page = client.get(url)
    assert "is picked up on 2026-11-15" in flashes(page)[0]
    assert "by DHL (tracking JJD01)" in text(page) and "Mark received" in text(page)
    assert db.session.get(Device, yard["first"].id).status == "in_transit"
    post_form(client, f"{url}/receive", {"received_on": "2026-11-15"}, form_page=url)
    assert (
        db.session.get(ReturnOrder, order.id).status,
        db.session.get(Device, yard["first"].id).status,
    ) == (
        "received",
        "received",
    )
    assert "Mark picked up" not in text(client.get(url))


def test_cancelling_frees_the_slot_and_an_illegal_step_is_explained(yard) -> None:
    client, order = yard["client"], yard["order"]
    url = f"/logistics/returns/{order.id}"
    post_form(client, f"{url}/cancel", {}, form_page=url)
    assert "is cancelled" in flashes(client.get(url))[0]
    assert db.session.get(PickupSlot, yard["today_slot"].id).booked == 0
    assert db.session.get(Device, yard["first"].id).status == "deployed"
    again = post_form(client, f"{url}/cancel", {}, form_page="/logistics/returns")
    assert again.status_code == 302
    assert "can be cancelled only when requested or scheduled" in flashes(client.get(url))[0]


def test_an_unknown_return_order_is_the_html_404_page(yard) -> None:
    response = yard["client"].get("/logistics/returns/987654")
    assert (response.status_code, response.mimetype) == (404, "text/html")
    assert "There is no such page" in text(response)


# -- pickup calendar ----------------------------------------------------------------------------------------


def test_the_calendar_shows_capacity_bookings_and_the_orders_booked(yard) -> None:
    page = text(yard["client"].get(f"/logistics/calendar?region={REGION}&month=2026-11"))
    row = page.split('<th scope="row"><time datetime="2026-11-15">2026-11-15</time>')[1].split("</tr>")[0]
    assert 'value="2"' in row and '<td class="num">1</td>' in row
    assert f"#{yard['order'].id}</a> Baukontor GmbH" in row
    assert "No pickup slots in December 2026" in text(yard["client"].get("/logistics/calendar?month=2026-12"))
    for month in ("0001-01", "2026-13", "nonsense"):  # anything odd shows this month
        assert "November 2026" in text(yard["client"].get(f"/logistics/calendar?month={month}"))


def test_adding_a_slot_and_a_duplicate_is_refused_beside_the_day(yard) -> None:
    client = yard["client"]
    added = post_form(
        client,
        "/logistics/calendar/slots",
        {"new-region": REGION, "new-date": "2026-12-01", "new-capacity": "6"},
        form_page="/logistics/calendar",
    )
    assert added.status_code == 302 and "month=2026-12" in added.headers["Location"]
    assert "Pickup slot added: DE-BE on 2026-12-01, 6 pickups." in flashes(
        client.get(added.headers["Location"])
    )
    again = post_form(
        client,
        "/logistics/calendar/slots",
        {"new-region": REGION, "new-date": "2026-12-01", "new-capacity": "3"},
        form_page="/logistics/calendar",
    )
    assert again.status_code == 422 and field_error(again, "new-date") == "Already exists."
    bad = post_form(
        client,
        "/logistics/calendar/slots",
        {"new-region": "no spaces", "new-date": "", "new-capacity": "-1"},
        form_page="/logistics/calendar",
    )
    assert bad.status_code == 422
    assert field_error(bad, "new-capacity") == "Number must be between 0 and 10000."
    assert field_error(bad, "new-region") == "Letters, digits, - . _ /"


def test_a_region_is_refused_with_a_line_break_after_it_as_the_api_refuses_it(yard) -> None:
    refused = post_form(
        yard["client"],
        "/logistics/calendar/slots",
        {"new-region": f"{REGION}\n", "new-date": "2026-12-02", "new-capacity": "3"},
        form_page="/logistics/calendar",
    )
    assert refused.status_code == 422 and field_error(refused, "new-region") == "Letters, digits, - . _ /"
    assert db.session.scalar(select(PickupSlot).where(PickupSlot.date == date(2026, 12, 2))) is None


def test_capacity_below_the_bookings_is_refused_beside_the_field(yard) -> None:
    client, slot = yard["client"], yard["today_slot"]
    url = f"/logistics/calendar/slots/{slot.id}?region={REGION}&month=2026-11"
    refused = post_form(client, url, {f"slot-{slot.id}-capacity": "0"}, form_page="/logistics/calendar")
    assert refused.status_code == 422
    assert field_error(refused, f"slot-{slot.id}-capacity") == "At least 1."
    assert db.session.get(PickupSlot, slot.id).capacity == 2
    changed = post_form(client, url, {f"slot-{slot.id}-capacity": "5"}, form_page="/logistics/calendar")
    assert changed.status_code == 302
    assert "is now 5 (1 booked)" in flashes(client.get(changed.headers["Location"]))[0]
    assert db.session.get(PickupSlot, slot.id).capacity == 5


def test_the_calendar_feed_link_carries_a_new_token_that_opens_the_feed(yard) -> None:
    client = yard["client"]
    page = text(client.get(f"/logistics/calendar?region={REGION}"))
    assert "token=&lt;your calendar token&gt;" in page
    shown = post_form(
        client, f"/logistics/calendar/feed-token?region={REGION}", {}, form_page="/logistics/calendar"
    )
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    link = re.search(r'id="feed-link"[^>]*value="([^"]+)"', text(shown)).group(1).replace("&amp;", "&")
    assert link.startswith(f"http://localhost/api/v1/pickup-slots.ics?region={REGION}&token=")
    feed = client.get(link.removeprefix("http://localhost"))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert f"Pickup #{yard['order'].id}: 1 device(s)" in text(feed)
    assert "shown only once" in text(shown)


# -- devices by serial --------------------------------------------------------------------------------------


def test_the_serial_box_is_autofocused_opens_a_device_and_says_when_it_is_unknown(yard) -> None:
    client, serial = yard["client"], yard["first"].serial
    page = text(client.get("/logistics/devices"))
    assert re.search(r'<input[^>]*autofocus[^>]*name="serial"|<input[^>]*name="serial"[^>]*autofocus', page)
    opened = client.get(f"/logistics/devices?serial=+{serial}+")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/logistics/devices/{serial}"
    unknown = client.get("/logistics/devices?serial=NOPE-1")
    assert field_error(unknown, "serial") == "No device with serial NOPE-1."
    assert client.get("/logistics/devices/NOPE-1").status_code == 404


def test_a_returned_device_is_wiped_graded_refurbished_restocked_and_redeployed(yard) -> None:
    client, serial = yard["client"], _received(yard)
    url = f"/logistics/devices/{serial}"
    page = text(client.get(url))
    assert "Record wipe" in page and "Record grade" not in page and "Deploy" not in page

    missing = post_form(client, f"{url}/wipe", {**WIPE, "verified_by": ""}, form_page=url)
    assert missing.status_code == 422 and field_error(missing, "verified_by") == "This field is required."
    wiped = post_form(client, f"{url}/wipe", WIPE, form_page=url)
    assert wiped.status_code == 302 and wiped.headers["Location"] == url  # back to the device, not the scan
    certificate = db.session.scalar(
        select(WipeCertificate).where(WipeCertificate.device_id == yard["second"].id)
    )
    assert (certificate.method, certificate.verified_by, certificate.performed_by) == (
        "purge",
        "K. Braun",
        yard["user"].email,
    )
    assert (
        f"wipe recorded (certificate WIPE-{certificate.id:06d}, purge); it is now wiped."
        in flashes(client.get(url))[0]
    )
    page = text(client.get(url))
    assert "Record wipe" not in page and "Record grade" in page
    pdf = client.get(f"{url}/wipe-certificates/{certificate.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")

    post_form(client, f"{url}/grade", {"grade": "B"}, form_page=url)
    device = db.session.get(Device, yard["second"].id)
    assert (device.status, device.grade) == ("graded", "B")
    post_form(client, f"{url}/disposition", {"disposition": "refurbish"}, form_page=url)
    assert "it is now refurbishing" in flashes(client.get(url))[0]
    assert "Restock" in text(client.get(url))
    post_form(client, f"{url}/restock", {}, form_page=url)
    assert db.session.get(Device, yard["second"].id).status == "in_stock"

    second = factories.contract(plan_code=yard["plan"].code, start_date=date(2026, 6, 1))
    db.session.commit()
    early = post_form(client, f"{url}/deploy", {"contract_id": second.id, "start_date": "2026-05-01"}, url)
    assert early.status_code == 422
    assert field_error(early, "start_date").startswith("Must fall within the contract")
    deployed = post_form(client, f"{url}/deploy", {"contract_id": second.id, "start_date": "2026-11-15"}, url)
    assert deployed.status_code == 302
    assert (
        f"deployed on contract {second.id} from 2026-11-15; it is now deployed" in flashes(client.get(url))[0]
    )
    device = db.session.get(Device, yard["second"].id)
    assert (device.status, device.lives) == ("deployed", 2)
    page = text(client.get(url))
    assert "Mark lost" in page and "Restock" not in page
    for action in ("hand back", "wipe", "grade", "refurbish", "restock", "deploy"):
        assert f"<td>{action}</td>" in page


def test_recycling_needs_a_purge_and_harvested_parts_are_read_per_line(yard) -> None:
    client, serial = yard["client"], _received(yard)
    url = f"/logistics/devices/{serial}"
    post_form(client, f"{url}/wipe", {**WIPE, "method": "clear"}, form_page=url)
    post_form(client, f"{url}/grade", {"grade": "D"}, form_page=url)
    refused = post_form(client, f"{url}/disposition", {"disposition": "recycle"}, form_page=url)
    assert refused.status_code == 422
    assert "the wipe must be purge or destroy" in flashes(refused)[0]
    assert db.session.get(Device, yard["second"].id).status == "graded"
    bad = post_form(
        client, f"{url}/disposition", {"disposition": "harvest", "harvested_parts": "battery 0.3"}, url
    )
    assert field_error(bad, "harvested_parts") == "Line 1: write the part, a comma, then its weight in kg."
    done = post_form(
        client,
        f"{url}/disposition",
        {"disposition": "harvest", "harvested_parts": "battery, 0.310\n\nSSD, 0.008"},
        form_page=url,
    )
    assert done.status_code == 302
    parts = db.session.execute(
        select(HarvestedPart.part, HarvestedPart.weight_kg).where(
            HarvestedPart.device_id == yard["second"].id
        )
    ).all()
    assert sorted((p, Decimal(w)) for p, w in parts) == [
        ("SSD", Decimal("0.008")),
        ("battery", Decimal("0.310")),
    ]
    page = text(client.get(url))
    assert "Nothing to do here for a device that is harvested" in page


def test_harvested_parts_are_kept_as_typed_or_refused_as_the_api_refuses_them(yard) -> None:
    client, serial = yard["client"], _received(yard)
    url = f"/logistics/devices/{serial}"
    post_form(client, f"{url}/wipe", WIPE, form_page=url)
    post_form(client, f"{url}/grade", {"grade": "D"}, form_page=url)
    for typed, problem in (
        ("battery, 0.3105", "Line 1, weight: At most 3 decimals."),  # never rounded to 0.311 unseen
        ("battery, 0.3\nSSD, 101", "Line 2, weight: Must be at most 100."),
        ("x" * 101 + ", 0.3", "Line 1, part: Longer than maximum length 100."),  # never cut to 100
        (" , 0.3", "Line 1, part: Must not be blank."),
        ("battery, 1e-1", "Line 1: write the part, a comma, then its weight in kg."),
    ):
        refused = post_form(
            client, f"{url}/disposition", {"disposition": "harvest", "harvested_parts": typed}, url
        )
        assert refused.status_code == 422 and field_error(refused, "harvested_parts") == problem
    assert db.session.get(Device, yard["second"].id).status == "graded"
    parts = select(func.count()).where(HarvestedPart.device_id == yard["second"].id)
    assert db.session.scalar(parts) == 0


def test_a_device_in_transit_can_be_marked_lost(yard) -> None:
    client, order = yard["client"], yard["order"]
    returns.pick_up_return_order(order.id, date(2026, 11, 15), "tests")
    db.session.commit()
    url = f"/logistics/devices/{yard['first'].serial}"
    assert "Mark lost" in text(client.get(url))
    post_form(client, f"{url}/lost", {"note": "van stolen"}, form_page=url)
    assert db.session.get(Device, yard["first"].id).status == "lost"


def test_a_sold_device_is_listed_as_sold_and_offers_nothing(yard) -> None:
    sales.sell_device(
        yard["contract"].id, yard["second"].serial, date(2026, 11, 15), "buy-out charge 3", "tests"
    )
    db.session.commit()
    client, serial = yard["client"], yard["second"].serial
    page = text(client.get(f"/logistics/devices/{serial}"))
    assert '<dd id="device-state"><span class="badge">sold</span></dd>' in page
    assert "Nothing to do here for a device that is sold: its customer bought it" in page
    assert f'action="/logistics/devices/{serial}/' not in page  # no action of any kind
    assert "buy-out charge 3" in page  # the custody event names the sale
    assert serial in text(client.get("/logistics/devices?status=sold"))


# -- refresh orders -----------------------------------------------------------------------------------------


@pytest.fixture
def upgrade_order(yard):
    """A healthy laptop deployed 2025-01-01 on a 24-month cycle: due 2027-01-01, approved for an upgrade."""
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    contract = factories.contract(yard["customer"].id, plan.code, date(2025, 1, 1))
    device = factories.device(
        yard["model"].sku, manufactured_on=date(2024, 10, 1), battery_health=91, on=date(2024, 12, 1)
    )
    deploy_device(contract.id, device.serial, date(2025, 1, 1), "tests")
    refresh.plan_refreshes(date(2026, 11, 15), 60, UpgradePolicy(80, 12), 14)
    order = db.session.scalar(select(RefreshOrder).where(RefreshOrder.device_id == device.id))
    refresh.approve_refresh(order.id, "upgrade", "it@baukontor.example", 14)
    db.session.commit()
    return order, device


def test_approved_refresh_orders_are_listed_and_an_upgrade_is_completed(yard, upgrade_order) -> None:
    client = yard["client"]
    order, device = upgrade_order
    listing = text(client.get("/logistics/refresh-orders"))
    assert f"#{order.id}</a>" in listing and "2027-01-01" in listing and device.serial in listing
    assert "No completed refresh orders." in text(client.get("/logistics/refresh-orders?status=completed"))
    url = f"/logistics/refresh-orders/{order.id}"
    page = text(client.get(url))
    assert "Upgrade kit" in page and "Replacement serial" not in page and "Empty: 12 months." in page
    late = post_form(client, f"{url}/complete", {"completed_on": "2027-01-31", "kit": "memory"}, url)
    assert late.status_code == 422 and field_error(late, "completed_on") == "At most 31 days ahead."
    done = post_form(
        client,
        f"{url}/complete",
        {"completed_on": "2026-11-15", "kit": "memory", "extension_months": "18"},
        url,
    )
    assert done.status_code == 302
    assert "completed on 2026-11-15: upgrade recorded" in flashes(client.get("/logistics/refresh-orders"))[0]
    upgrade = db.session.scalar(select(DeviceUpgrade).where(DeviceUpgrade.refresh_order_id == order.id))
    assert (upgrade.kit, upgrade.extension_months) == ("memory", 18)
    assert db.session.get(RefreshOrder, order.id).status == "completed"


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_the_refresh_orders_list_reads_the_serials_of_its_rows_at_once(yard, upgrade_order) -> None:
    client, url = yard["client"], "/logistics/refresh-orders?status=approved"
    with counted_statements() as one_row:
        assert text(client.get(url)).count("Complete<span") == 1
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    contract = factories.contract(yard["customer"].id, plan.code, date(2025, 1, 1))
    for _ in range(4):
        device = factories.device(yard["model"].sku, manufactured_on=date(2024, 10, 1), on=date(2024, 12, 1))
        deploy_device(contract.id, device.serial, date(2025, 1, 1), "tests")
    refresh.plan_refreshes(date(2026, 11, 15), 60, UpgradePolicy(80, 12), 14)
    for order in db.session.scalars(select(RefreshOrder).where(RefreshOrder.status == "open")).all():
        refresh.approve_refresh(order.id, "upgrade", "it@baukontor.example", 14)
    db.session.commit()
    with counted_statements() as five_rows:
        page = text(client.get(url))
    assert page.count("Complete<span") == 5
    assert len(five_rows) == len(one_row)  # not one more query per order


# -- who may see and post -----------------------------------------------------------------------------------


def test_customers_may_not_open_logistics_pages(app, database) -> None:
    client, _ = signed_in(app, "customer", factories.customer().id)
    for url in ("/logistics", "/logistics/returns", "/logistics/calendar", "/logistics/devices"):
        assert client.get(url).status_code == 403


def test_admins_may_open_logistics_pages(app, database, today) -> None:
    device = factories.device()
    db.session.commit()
    client, _ = signed_in(app, "admin")
    page = client.get(f"/logistics/devices/{device.serial}")
    assert page.status_code == 200 and "Deploy to a contract" in text(page)


def test_a_form_posted_without_its_csrf_token_is_refused(yard) -> None:
    slot = yard["today_slot"]
    response = yard["client"].post(
        f"/logistics/calendar/slots/{slot.id}", data={f"slot-{slot.id}-capacity": "9"}
    )
    assert response.status_code == 400 and "did not come from this site" in text(response)
    assert db.session.get(PickupSlot, slot.id).capacity == 2


def test_every_week_of_the_chart_is_there_even_without_receipts(database) -> None:
    labels, counts = queries.devices_received_per_week(date(2026, 11, 18), weeks=2)
    assert labels == ["2026-11-09", "2026-11-16"] and counts == [0, 0]
    assert date.fromisoformat(labels[-1]) + timedelta(days=2) == date(2026, 11, 18)


def test_a_refused_capacity_of_a_slot_not_on_the_page_is_said_at_the_top(yard) -> None:
    december = slots.create_slot(REGION, date(2026, 12, 1), 1)
    returns.create_return_order(
        yard["contract"].id, [yard["second"].serial], "defect", date(2026, 12, 1), REGION, ADDRESS, "t", 14
    )
    db.session.commit()
    url = f"/logistics/calendar/slots/{december.id}?month=2026-11"
    refused = post_form(
        client := yard["client"], url, {f"slot-{december.id}-capacity": "0"}, "/logistics/calendar"
    )
    assert refused.status_code == 422 and "At least 1." in flashes(refused)
    assert client.get("/logistics/calendar").status_code == 200
