"""People, orders and shipments through the pages with the Flask test client: the portal's people (list,
add, edit, CSV import with its report, offboarding), ordering from a subscription's catalog, the orders
with their approval and cancellation, and another customer's order a 404; logistics' work lists,
allocation, the pick and pack screen one scan at a time, shipping, delivery or a failed delivery, the
packing slip, and delivery slots in the calendar."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from daas.auth.models import User
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.devices.models import Device
from daas.extensions import db
from daas.orders import allocation, delivery_slots, order_views, ordering, shipments
from daas.orders.models import DeliverySlot, Order, Shipment
from daas.people.models import Person
from daas.people.services import create_person
from tests import factories
from tests.web.browsers import signed_in
from tests.web.helpers import csrf_token, post_form

REGION = "NL-AMS"
HEADER = "name,email,cost_centre,line1,line2,postcode,city,country,region,monthly_allowance\n"


def text(response: Any) -> str:
    """The page with whitespace collapsed and dates as their text."""
    raw = re.sub(r"</?time[^>]*>", "", response.get_data(as_text=True))
    return unescape(re.sub(r"\s+", " ", raw))


def flashes(response: Any) -> list[str]:
    return [
        unescape(re.sub(r"\s+", " ", m))
        for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    ]


def field_error(response: Any, field_id: str) -> str:
    found = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', response.get_data(as_text=True)
    )
    assert found, f"no error beside {field_id}"
    return unescape(found.group(1))


def person(customer_id: int, name: str, email: str, allowance: str | None, **values: Any) -> Person:
    return create_person(
        customer_id,
        {
            "name": name,
            "email": email,
            "cost_centre": values.pop("cost_centre", "IT"),
            "address": {
                "line1": "Keizersgracht 10",
                "postcode": "1015 CN",
                "city": "Amsterdam",
                "country": "NL",
            },
            "monthly_allowance": Decimal(allowance) if allowance is not None else None,
            **values,
        },
    )


@pytest.fixture
def shop(app, database, today):
    """An Amsterdam customer on a laptop plan (39.00 EUR a month for any model): Anna (allowance 150.00)
    who has one laptop, Bas (allowance 50.00); three new laptops in stock and a refurbished one; a
    delivery slot tomorrow. A customer user (no approver) and another customer's order."""
    model = factories.device_model(sku=factories.unique("LAT"), name="Latitude 5440")
    plan = factories.plan(name="Laptop Standard")
    customer = factories.customer(name="Grachten Advies B.V.", pickup_region=REGION)
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    anna = person(customer.id, "Anna de Vries", "anna@grachten.example", "150.00")
    bas = person(customer.id, "Bas Jansen", "bas@grachten.example", "50.00", cost_centre="Sales")
    held = factories.device(model.sku, serial=factories.unique("HELD"))
    deploy_device(contract.id, held.serial, date(2026, 2, 1), "tests", person_id=anna.id)
    stock = [factories.device(model.sku, serial=f"NEW-{n}-{factories.unique('S')}") for n in (1, 2, 3)]
    delivery_slots.create_slot(REGION, date(2026, 11, 16), 5)
    other = factories.customer(name="Elsewhere GmbH", pickup_region="DE-BE")
    other_contract = factories.contract(other.id, plan.code, date(2026, 1, 1))
    theirs = ordering.place_order(
        other_contract.id,
        [{"sku": model.sku, "quantity": 1}],
        today,
        "tests",
        address={"line1": "Unter den Linden 1", "postcode": "10117", "city": "Berlin", "country": "DE"},
    )
    db.session.commit()
    client, user = signed_in(app, "customer", customer_id=customer.id)
    return SimpleNamespace(
        app=app,
        client=client,
        user=user,
        model=model,
        customer=customer,
        contract=contract,
        anna=anna,
        bas=bas,
        held=held,
        stock=stock,
        theirs=theirs,
        today=today,
    )


def order_form(shop: Any, person_id: Any, quantity: int, **values: str) -> dict[str, str]:
    return {
        "contract_id": str(shop.contract.id),
        "lines-0-sku": shop.model.sku,
        "lines-0-quantity": str(quantity),
        "person_id": str(person_id),
        "requested_date": "2026-11-16",
        "accept_refurbished": "y",
        "lowest_grade": "B",
        "country": "",
        **values,
    }


def place(shop: Any, person_id: Any, quantity: int, **values: str) -> Any:
    return post_form(
        shop.client,
        "/portal/order-devices",
        order_form(shop, person_id, quantity, **values),
        form_page=f"/portal/order-devices?contract={shop.contract.id}",
    )


def approver(shop: Any) -> Any:
    client, user = signed_in(shop.app, "customer", customer_id=shop.customer.id)
    db.session.get(User, user.id).can_approve = True
    db.session.commit()
    return client


# -- people -------------------------------------------------------------------------------------------------


def test_the_people_list_shows_status_cost_centre_and_who_has_what(shop) -> None:
    page = shop.client.get("/portal/people")
    assert page.status_code == 200
    row = text(page).split("Anna de Vries</th>")[1].split("</tr>")[0]
    assert "anna@grachten.example" in row and "IT" in row and "active" in row
    assert f"{shop.held.serial} (Latitude 5440)" in row
    bas = text(page).split("Bas Jansen</th>")[1].split("</tr>")[0]
    assert "Sales" in bas and "none" in bas
    assert 'href="/portal/people" aria-current="page"' in page.get_data(as_text=True)
    assert "Elsewhere" not in text(page)


def test_a_person_is_added_and_mistakes_are_said_beside_their_fields(shop) -> None:
    client = shop.client
    added = post_form(
        client,
        "/portal/people/new",
        {
            "name": "Chris Bakker",
            "email": "chris@grachten.example",
            "line1": "Damrak 1",
            "postcode": "1012 LG",
            "city": "Amsterdam",
            "country": "NL",
            "monthly_allowance": "80.00",
        },
    )
    assert added.status_code == 302 and added.headers["Location"] == "/portal/people"
    assert flashes(client.get("/portal/people")) == ["Chris Bakker is added (region NL-AMS)."]
    chris = db.session.scalar(select(Person).where(Person.email == "chris@grachten.example"))
    assert chris.customer_id == shop.customer.id and chris.monthly_allowance == Decimal("80.00")

    twice = post_form(
        client,
        "/portal/people/new",
        {
            "name": "Anna again",
            "email": "ANNA@grachten.example",
            "line1": "x",
            "postcode": "1",
            "city": "A",
            "country": "NL",
        },
    )
    assert twice.status_code == 422
    assert "in any case" in field_error(twice, "email")
    no_address = post_form(client, "/portal/people/new", {"name": "Dirk", "email": "dirk@grachten.example"})
    assert no_address.status_code == 422
    for part in ("line1", "postcode", "city", "country"):
        assert field_error(no_address, part)
    assert db.session.scalar(select(Person).where(Person.name == "Dirk")) is None


def test_a_person_is_edited_and_another_customer_s_person_is_not_found(shop) -> None:
    client = shop.client
    page = client.get(f"/portal/people/{shop.bas.id}/edit")
    assert page.status_code == 200 and 'value="bas@grachten.example"' in page.get_data(as_text=True)
    saved = post_form(
        client,
        f"/portal/people/{shop.bas.id}/edit",
        {
            "name": "Bas Jansen",
            "email": "bas@grachten.example",
            "cost_centre": "Marketing",
            "line1": "Prinsengracht 2",
            "postcode": "1015 DV",
            "city": "Amsterdam",
            "country": "NL",
            "region": "NL-AMS",
            "monthly_allowance": "60",
        },
    )
    assert saved.status_code == 302
    bas = db.session.get(Person, shop.bas.id)
    assert (bas.cost_centre, bas.address_line1, bas.monthly_allowance) == ("Marketing", "Prinsengracht 2", 60)
    stranger = person(factories.customer(pickup_region="DE-BE").id, "Eve", "eve@else.example", None)
    db.session.commit()
    assert client.get(f"/portal/people/{stranger.id}/edit").status_code == 404
    assert client.get(f"/portal/people/{stranger.id}/offboard").status_code == 404


def test_the_csv_import_shows_its_report_and_stores_nothing_when_a_row_is_refused(shop) -> None:
    client = shop.client
    good = (
        HEADER
        + "Anna de Vries,anna@grachten.example,IT,Keizersgracht 10,,1015 CN,Amsterdam,NL,,150.00\n"
        + "Femke Visser,femke@grachten.example,HR,Damrak 5,,1012 LG,Amsterdam,NL,,\n"
        + "Bas Jansen,BAS@grachten.example,Sales,Keizersgracht 10,,1015 CN,Amsterdam,NL,,75\n"
    )
    done = post_form(
        client,
        "/portal/people/import",
        {"file": (_upload(good), "people.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200
    tiles = dict(
        (label, int(value))
        for value, label in re.findall(
            r'<span class="value">(\d+)</span><span class="label">(\w+)</span>', done.get_data(as_text=True)
        )
    )
    assert tiles == {"created": 1, "updated": 1, "unchanged": 1, "refused": 0}
    assert "Import done: 1 created, 1 updated, 1 unchanged." in flashes(done)

    bad = (
        HEADER
        + "Gert,not-an-address,IT,Damrak 7,,1012 LG,Amsterdam,NL,,\nHenk,henk@grachten.example,,,,,,XX,,\n"
    )
    refused = post_form(
        client,
        "/portal/people/import",
        {"file": (_upload(bad), "people.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    table = text(refused).split('id="refused-rows"')[1].split("</table>")[0]
    assert "not-an-address" in table and "email:" in table
    assert "henk@grachten.example" in table and "address.line1" in table and "address.country" in table
    assert "2 rows refused; nothing was stored." in field_error(refused, "file")
    assert db.session.scalar(select(Person).where(Person.name == "Henk")) is None


def _upload(content: str) -> Any:
    return BytesIO(content.encode())


def test_offboarding_hands_the_devices_over_or_says_what_is_missing(shop) -> None:
    client = shop.client
    url = f"/portal/people/{shop.anna.id}/offboard"
    page = client.get(url)
    assert page.status_code == 200 and shop.held.serial in text(page)
    missing = post_form(client, url, {"action": "reassign", "to_person_id": ""})
    assert missing.status_code == 422
    assert field_error(missing, "to_person_id") == "Name the person who takes the devices over."
    done = post_form(client, url, {"action": "reassign", "to_person_id": str(shop.bas.id)})
    assert done.status_code == 302
    assert flashes(client.get("/portal/people")) == ["Anna de Vries has left: 1 device(s) handed over."]
    assert db.session.get(Person, shop.anna.id).status == "left"
    deployment = db.session.scalar(select(Deployment).where(Deployment.device_id == shop.held.id))
    assert deployment.person_id == shop.bas.id


# -- ordering -----------------------------------------------------------------------------------------------


def test_the_catalog_shows_price_footprint_and_stock(shop) -> None:
    page = shop.client.get("/portal/order-devices")
    assert page.status_code == 200
    row = text(page).split('id="catalog"')[1].split("</table>")[0]
    assert "Latitude 5440" in row and "39.00 EUR" in row and "252.84" in row
    assert re.search(r'<td class="num">0</td> <td class="num">3</td>', row)  # refurbished 0, new 3
    assert 'href="/portal/order-devices" aria-current="page"' in page.get_data(as_text=True)


def test_an_order_within_the_allowance_is_approved_at_once(shop) -> None:
    placed = place(shop, shop.anna.id, 1)
    assert placed.status_code == 302
    order = db.session.scalar(select(Order).where(Order.customer_id == shop.customer.id))
    assert placed.headers["Location"] == f"/portal/orders/{order.id}"
    shown = shop.client.get(placed.headers["Location"])
    assert f"Order #{order.id} of 1 device(s) is placed and approved" in flashes(shown)[0]
    assert 'id="order-status"><span class="badge badge-good">approved</span>' in shown.get_data(as_text=True)
    assert "Anna de Vries" in text(shown) and "Keizersgracht 10" in text(shown)
    listed = text(shop.client.get("/portal/orders"))
    assert f"#{order.id}" in listed and f"1 × {shop.model.sku}" in listed and "approved" in listed


def test_an_order_over_the_allowance_waits_for_an_approver(shop) -> None:
    placed = place(shop, shop.bas.id, 2)  # 2 × 39.00 > 50.00
    order_id = int(placed.headers["Location"].rsplit("/", 1)[1])
    shown = shop.client.get(placed.headers["Location"])
    assert "waits for an approver" in flashes(shown)[0]
    assert "Waiting for approval" in text(shown)
    assert f'action="/portal/orders/{order_id}/approve"' not in shown.get_data(as_text=True)
    refused = post_form(
        shop.client, f"/portal/orders/{order_id}/approve", {}, form_page=f"/portal/orders/{order_id}"
    )
    assert "Only a customer user who may approve" in flashes(shop.client.get(refused.headers["Location"]))[0]
    assert db.session.get(Order, order_id).status == "requested"

    boss = approver(shop)
    page = boss.get(f"/portal/orders/{order_id}")
    assert f'action="/portal/orders/{order_id}/approve"' in page.get_data(as_text=True)
    approved = post_form(
        boss, f"/portal/orders/{order_id}/approve", {}, form_page=f"/portal/orders/{order_id}"
    )
    assert approved.status_code == 302
    assert flashes(boss.get(approved.headers["Location"])) == [
        f"Order #{order_id} is approved: we prepare the devices."
    ]
    assert db.session.get(Order, order_id).status == "approved"


def test_order_mistakes_are_said_beside_their_fields(shop) -> None:
    past = place(shop, shop.anna.id, 1, requested_date="2026-11-01")
    assert past.status_code == 422 and field_error(past, "requested_date") == "Must not be in the past."
    nothing = place(shop, shop.anna.id, 0)
    assert (
        nothing.status_code == 422
        and field_error(nothing, "lines-0-quantity") == "Order at least one device."
    )
    no_address = place(shop, "", 1)
    assert no_address.status_code == 422
    for part in ("line1", "postcode", "city", "country"):
        assert field_error(no_address, part)
    too_many = place(shop, shop.anna.id, 5000)
    assert too_many.status_code == 422 and field_error(too_many, "lines-0-quantity")
    assert db.session.scalar(select(Order).where(Order.customer_id == shop.customer.id)) is None


def test_an_order_is_cancelled(shop) -> None:
    order_id = int(place(shop, shop.anna.id, 1).headers["Location"].rsplit("/", 1)[1])
    cancelled = post_form(
        shop.client, f"/portal/orders/{order_id}/cancel", {}, form_page=f"/portal/orders/{order_id}"
    )
    page = shop.client.get(cancelled.headers["Location"])
    assert flashes(page) == [f"Order #{order_id} is cancelled."]
    assert db.session.get(Order, order_id).status == "cancelled"
    assert f'action="/portal/orders/{order_id}/cancel"' not in page.get_data(as_text=True)


def test_another_customer_s_order_is_not_found(shop) -> None:
    theirs = shop.theirs.id
    assert shop.client.get(f"/portal/orders/{theirs}").status_code == 404
    token_page = "/portal/orders"
    assert (
        post_form(shop.client, f"/portal/orders/{theirs}/cancel", {}, form_page=token_page).status_code == 404
    )
    boss = approver(shop)
    assert post_form(boss, f"/portal/orders/{theirs}/approve", {}, form_page=token_page).status_code == 404
    assert db.session.get(Order, theirs).status != "cancelled"
    assert f"#{theirs}" not in text(shop.client.get("/portal/orders"))


# -- logistics ----------------------------------------------------------------------------------------------


@pytest.fixture
def warehouse(shop):
    """Shop's customer ordered two laptops for Anna; logistics signed in."""
    order = ordering.place_order(
        shop.contract.id,
        [{"sku": shop.model.sku, "quantity": 2, "person_id": shop.anna.id}],
        date(2026, 11, 16),
        "tests",
    )
    db.session.commit()
    client, _ = signed_in(shop.app, "logistics")
    shop.order, shop.staff = order, client
    return shop


def test_the_work_lists_count_and_allocate(warehouse) -> None:
    client, order = warehouse.staff, warehouse.order
    page = client.get("/logistics/orders")
    assert page.status_code == 200
    assert re.search(
        r'<span class="value">2</span><span class="label">to allocate', page.get_data(as_text=True)
    )
    allocated = post_form(client, f"/logistics/orders/{order.id}/allocate", {}, form_page="/logistics/orders")
    assert allocated.status_code == 302
    after = client.get("/logistics/orders")
    assert f"Order #{order.id} is allocated" in flashes(after)[0]
    assert re.search(
        r'<span class="value">1</span><span class="label">to pick and pack', after.get_data(as_text=True)
    )
    assert f'href="/logistics/orders/{order.id}/pack"' in after.get_data(as_text=True)
    report = post_form(client, "/logistics/orders/allocate-backorders", {}, form_page="/logistics/orders")
    assert "Allocation round done: 1 order(s) allocated" in flashes(client.get(report.headers["Location"]))[0]


def _pack(warehouse: Any, data: dict[str, str], scanned: list[str]) -> Any:
    url = f"/logistics/orders/{warehouse.order.id}/pack"
    return warehouse.staff.post(
        url,
        data={"csrf_token": csrf_token(warehouse.staff, url), "serials": scanned, **data},
    )


def test_pick_and_pack_one_scan_at_a_time_then_the_shipment_books_its_day(warehouse) -> None:
    order = allocation.allocate_order(warehouse.order.id, "tests")
    db.session.commit()
    serials = order_views.order_view(order)["lines"][0]["serials"]
    assert len(serials) == 2
    screen = warehouse.staff.get(f"/logistics/orders/{order.id}/pack")
    html = screen.get_data(as_text=True)
    assert re.search(r'<input[^>]*autofocus[^>]*name="serial"|<input[^>]*name="serial"[^>]*autofocus', html)
    assert "0 of 2" in text(screen)

    first = _pack(warehouse, {"serial": serials[0].lower(), "action": "scan"}, [])
    assert first.status_code == 200 and "1 of 2" in text(first) and "1 still missing" in text(first)
    assert f'name="serials" value="{serials[0]}"' in first.get_data(as_text=True)
    again = _pack(warehouse, {"serial": serials[0], "action": "scan"}, [serials[0]])
    assert again.status_code == 422 and field_error(again, "serial") == f"{serials[0]} is scanned already."
    stranger = _pack(warehouse, {"serial": warehouse.stock[2].serial, "action": "scan"}, [serials[0]])
    assert (
        field_error(stranger, "serial")
        == f"{warehouse.stock[2].serial} is not on the pick list of order #{order.id}."
    )
    no_packaging = _pack(warehouse, {"serial": serials[1], "action": "create"}, [serials[0]])
    assert no_packaging.status_code == 422
    assert field_error(no_packaging, "packaging") == "Give the packaging, or a reusable_box_id."
    assert field_error(no_packaging, "reusable_box_id") == "Give a reusable_box_id, or the packaging."

    created = _pack(
        warehouse, {"action": "create", "kg_cardboard": "0.8", "kg_moulded_pulp": "0.15"}, serials
    )
    assert created.status_code == 302
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert created.headers["Location"] == f"/logistics/shipments/{shipment.id}"
    page = warehouse.staff.get(created.headers["Location"])
    assert flashes(page) == [f"Shipment #{shipment.id} of 2 device(s) is packed: delivery on 2026-11-16."]
    assert 'id="delivery-date">2026-11-16' in text(page)
    assert "Cardboard 0.8 kg" in text(page) and "Moulded pulp 0.15 kg" in text(page)
    slip = warehouse.staff.get(f"/logistics/shipments/{shipment.id}/packing-slip.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf" and slip.data.startswith(b"%PDF")


def _packed(warehouse: Any) -> Shipment:
    order = allocation.allocate_order(warehouse.order.id, "tests")
    serials = order_views.order_view(order)["lines"][0]["serials"]
    shipment = shipments.create_shipment(order.id, serials, "tests", reusable_box_id="BOX-7")
    db.session.commit()
    return shipment


def test_a_shipment_is_shipped_then_delivered_and_the_customer_sees_it(warehouse) -> None:
    shipment, client = _packed(warehouse), warehouse.staff
    url = f"/logistics/shipments/{shipment.id}"
    blank = post_form(client, f"{url}/ship", {"carrier": "", "tracking": ""}, form_page=url)
    assert blank.status_code == 422 and field_error(blank, "carrier") == "This field is required."
    shipped = post_form(client, f"{url}/ship", {"carrier": "DHL", "tracking": "JJD014600"}, form_page=url)
    assert (
        "is shipped on 2026-11-15 with DHL (JJD014600)" in flashes(client.get(shipped.headers["Location"]))[0]
    )
    early = post_form(
        client, f"{url}/deliver", {"delivered_on": "2026-11-14", "received_by": "Anna"}, form_page=url
    )
    assert early.status_code == 422 and "not before that" in field_error(early, "delivered_on")
    customer_view = text(warehouse.client.get(f"/portal/orders/{warehouse.order.id}"))
    shipments_table = customer_view.split('id="shipments"')[1].split("</table>")[0]
    assert "shipped" in shipments_table and "2026-11-16" in shipments_table  # the expected delivery
    assert (
        'DHL: <a href="https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id=JJD014600"'
        in shipments_table
    )
    delivered = post_form(
        client, f"{url}/deliver", {"delivered_on": "2026-11-15", "received_by": "Anna"}, form_page=url
    )
    assert delivered.status_code == 302
    assert db.session.get(Order, warehouse.order.id).status == "delivered"
    mine = warehouse.client.get(f"/portal/orders/{warehouse.order.id}")
    assert 'id="order-status"><span class="badge">delivered</span>' in mine.get_data(as_text=True)
    assert "2026-11-15, received by Anna" in text(mine)


def test_a_failed_delivery_goes_back_to_stock(warehouse) -> None:
    shipment, client = _packed(warehouse), warehouse.staff
    url = f"/logistics/shipments/{shipment.id}"
    unchosen = post_form(client, f"{url}/fail", {}, form_page=url)
    assert (
        unchosen.status_code == 422
        and field_error(unchosen, "retry") == "Choose to send again or back to stock."
    )
    failed = post_form(client, f"{url}/fail", {"retry": "stock"}, form_page=url)
    message = flashes(client.get(failed.headers["Location"]))[0]
    assert (
        message == f"Shipment #{shipment.id} failed: its devices are back in stock; the order is backordered."
    )
    assert db.session.get(Shipment, shipment.id).status == "failed"


def test_delivery_slots_sit_in_the_calendar_next_to_pickup_slots(warehouse) -> None:
    client = warehouse.staff
    _packed(warehouse)
    page = client.get(f"/logistics/calendar?region={REGION}&month=2026-11")
    deliveries = text(page).split('id="delivery-slots"')[1].split("</table>")[0]
    assert "2026-11-16" in deliveries and "Grachten Advies B.V." in deliveries
    assert f"/api/v1/delivery-slots.ics?region={REGION}&token=<your calendar token>" in text(page)
    added = post_form(
        client,
        "/logistics/calendar/delivery-slots",
        {"delivery-region": REGION, "delivery-date": "2026-11-20", "delivery-capacity": "8"},
        form_page="/logistics/calendar",
    )
    assert "Delivery slot added: NL-AMS on 2026-11-20, 8 deliveries." in flashes(
        client.get(added.headers["Location"])
    )
    twice = post_form(
        client,
        "/logistics/calendar/delivery-slots",
        {"delivery-region": REGION, "delivery-date": "2026-11-20", "delivery-capacity": "3"},
        form_page="/logistics/calendar",
    )
    assert twice.status_code == 422 and field_error(twice, "delivery-date") == "Already exists."
    slot = db.session.scalar(select(DeliverySlot).where(DeliverySlot.date == date(2026, 11, 16)))
    below = post_form(
        client,
        f"/logistics/calendar/delivery-slots/{slot.id}?region={REGION}&month=2026-11",
        {f"delivery-{slot.id}-capacity": "0"},
        form_page="/logistics/calendar",
    )
    assert below.status_code == 422 and field_error(below, f"delivery-{slot.id}-capacity") == "At least 1."
    shown = post_form(
        client, f"/logistics/calendar/feed-token?region={REGION}", {}, form_page="/logistics/calendar"
    )
    link = re.search(r'id="delivery-feed-link"[^>]*value="([^"]+)"', shown.get_data(as_text=True)).group(1)
    feed = client.get(unescape(link).removeprefix("http://localhost"))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"


def test_logistics_pages_are_for_logistics(shop) -> None:
    for url in (
        "/logistics/orders",
        f"/logistics/orders/{shop.theirs.id}",
        f"/logistics/orders/{shop.theirs.id}/pack",
    ):
        assert shop.client.get(url).status_code == 403
    staff, _ = signed_in(shop.app, "logistics")
    assert staff.get("/portal/orders").status_code == 403
    assert staff.get("/logistics/shipments/999999").status_code == 404
    assert db.session.scalar(select(Device).where(Device.serial == shop.stock[0].serial)).status == "in_stock"
