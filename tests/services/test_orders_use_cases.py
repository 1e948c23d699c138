"""Orders through their use cases: placing (defaults, refusals), allowances and approval, allocation circular
first (refurbished oldest in stock first, then new), backorders served first come first served, cancelling,
and the replacement order a refresh `replace` opens. Each use case commits; `db.session.rollback()` after
one shows what it kept."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict, Forbidden, Invalid, NotFound
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, RefreshStatus
from daas.logistics.refresh import complete_refresh
from daas.logistics.rules import UpgradePolicy
from daas.orders import allocation, allowances, order_views
from daas.orders.models import Order, OrderAllocation
from daas.people.models import PersonStatus
from daas.usecases import logistics as logistics_use_cases
from daas.usecases import orders as use_cases
from tests import factories
from tests.order_helpers import line, order_world, person, stock

ACTOR = "it@customer.example"
TODAY = date(2026, 11, 15)


@pytest.fixture
def world(database, today):
    return order_world()


def _serials(order: Order) -> list[str]:
    return [serial for entry in order_views.order_view(order)["lines"] for serial in entry["serials"]]


def _place(world, *lines, **options):
    return use_cases.place_order(
        world["contract"].id, list(lines), options.pop("on", TODAY), ACTOR, **options
    )


# -- placing ------------------------------------------------------------------------------------------------


def test_an_order_for_one_person_goes_to_their_address_and_region_approved_at_once(world):
    ada = person(world["customer"].id)
    order = _place(world, line(world["model"].sku, 2, ada.id))
    db.session.rollback()
    view = order_views.order_view(db.session.get(Order, order.id))
    assert view["status"] == "approved" and view["approved_by"] is None and view["approved_at"] is not None
    assert view["address"] == {
        "line1": "Keizersgracht 10",
        "line2": None,
        "postcode": "1015 CX",
        "city": "Amsterdam",
        "country": "NL",
    }
    assert view["region"] == "NL-AMS-WEST"
    assert view["lines"] == [{"sku": world["model"].sku, "quantity": 2, "person_id": ada.id, "serials": []}]
    assert (view["accept_refurbished"], view["lowest_grade"], view["customer_id"]) == (
        True,
        "B",
        world["customer"].id,
    )


def test_an_order_for_no_one_needs_an_address_and_takes_the_customers_pickup_region(world):
    with pytest.raises(Invalid) as refused:
        _place(world, line(world["model"].sku))
    assert set(refused.value.errors) == {"address"}
    address = {"line1": "Dock 4", "postcode": "1000 AA", "city": "Amsterdam", "country": "nl"}
    order = _place(world, line(world["model"].sku), address=address)
    assert (order.region, order.country, order.address_line2) == ("NL-AMS", "NL", None)


def test_lines_for_two_people_need_an_address(world):
    ada, bob = person(world["customer"].id), person(world["customer"].id, name="Bob")
    with pytest.raises(Invalid) as refused:
        _place(world, line(world["model"].sku, 1, ada.id), line(world["model"].sku, 1, bob.id))
    assert set(refused.value.errors) == {"address"}


def test_every_refused_line_is_named(world):
    other_customer = factories.customer(pickup_region="BE-BRU")
    stranger = person(other_customer.id)
    leaving = person(world["customer"].id)
    leaving.status = PersonStatus.LEAVING
    unbilled = factories.device_model()
    with pytest.raises(Invalid) as refused:
        _place(
            world,
            line("NO-SUCH-SKU"),
            line(unbilled.sku),
            line(world["model"].sku, 1, stranger.id),
            line(world["model"].sku, 1, leaving.id),
            line(world["model"].sku, 0),
        )
    assert set(refused.value.errors) == {
        "lines.0.sku",
        "lines.1.sku",
        "lines.2.person_id",
        "lines.3.person_id",
        "lines.4.quantity",
    }
    assert db.session.scalars(select(Order)).all() == []


def test_a_plan_with_a_charge_for_every_model_allows_every_sku(database, today):
    buyer = factories.customer(pickup_region="NL-AMS")
    contract = factories.contract(buyer.id, factories.plan().code)  # one device charge for every model
    ada = person(buyer.id)
    order = use_cases.place_order(contract.id, [line(factories.device_model().sku, 1, ada.id)], TODAY, ACTOR)
    assert order.status == "approved"


@pytest.mark.parametrize(
    ("requested", "field"),
    [(TODAY - timedelta(days=1), "requested_date"), (date(2029, 1, 1), "requested_date")],
)
def test_the_requested_date_is_not_past_and_within_the_contract(world, requested, field):
    ada = person(world["customer"].id)
    with pytest.raises(Invalid) as refused:
        _place(world, line(world["model"].sku, 1, ada.id), on=requested)
    assert set(refused.value.errors) == {field}


def test_another_customers_contract_is_not_found(world):
    other = factories.customer()
    with pytest.raises(NotFound):
        _place(world, line(world["model"].sku), customer_scope=other.id)


# -- allowances and approval --------------------------------------------------------------------------------


def test_an_order_over_the_allowance_waits_for_an_approver(world):
    ada = person(world["customer"].id, allowance="80.00")
    deployed = factories.device(world["model"].sku)
    deploy_device(world["contract"].id, deployed.serial, date(2026, 2, 1), ACTOR).person_id = ada.id
    within = _place(world, line(world["model"].sku, 1, ada.id))  # 39 held + 39 ordered = 78
    over = _place(world, line(world["model"].sku, 1, ada.id))  # + 39 on the first order = 117
    assert (within.status, over.status) == ("approved", "requested")
    checks = allowances.allowance_checks(over)
    assert [(c.monthly_price, c.allowance, c.exceeded) for c in checks] == [
        (Decimal("117.00"), Decimal("80.00"), True)
    ]
    use_cases.cancel_order(within.id, ACTOR)  # a cancelled order no longer counts
    assert allowances.allowance_checks(over)[0].monthly_price == Decimal("78.00")


def test_who_may_approve_and_that_it_is_once(world):
    ada = person(world["customer"].id, allowance="10.00")
    order = _place(world, line(world["model"].sku, 1, ada.id))
    assert order.status == "requested"
    scope = world["customer"].id
    with pytest.raises(Forbidden):
        use_cases.approve_order(order.id, "user@customer.example", "customer", False, scope)
    with pytest.raises(Forbidden):
        use_cases.approve_order(order.id, "finance@daas.example", "finance", False, None)
    with pytest.raises(NotFound):
        use_cases.approve_order(order.id, "approver@other.example", "customer", True, factories.customer().id)
    approved = use_cases.approve_order(order.id, "boss@customer.example", "customer", True, scope)
    db.session.rollback()
    assert (approved.status, approved.approved_by) == ("approved", "boss@customer.example")
    with pytest.raises(Conflict):
        use_cases.approve_order(order.id, "logistics@daas.example", "logistics", False, None)


def test_logistics_and_admin_approve_too(world):
    ada = person(world["customer"].id, allowance="0.00")
    for role in ("logistics", "admin"):
        order = _place(world, line(world["model"].sku, 1, ada.id))
        assert (
            use_cases.approve_order(order.id, f"{role}@daas.example", role, False, None).status == "approved"
        )


# -- allocation ---------------------------------------------------------------------------------------------


@pytest.fixture
def shelf(world):
    """Five refurbished grade A devices taken into stock on different days, two of grade C, three new."""
    sku = world["model"].sku
    refurbished = [stock(sku, date(2026, 10, day), lives=1, grade="A") for day in (20, 3, 11, 27, 6)]
    worn = [stock(sku, date(2026, 9, 1), lives=2, grade="C") for _ in range(2)]
    new = [stock(sku, date(2026, 8, day)) for day in (14, 2, 25)]
    return {"refurbished": refurbished, "worn": worn, "new": new}


def _by_day(devices):
    return [device.serial for device in sorted(devices, key=lambda d: d.events[0].occurred_on)]


def test_refurbished_devices_go_first_longest_in_stock_first(world, shelf):
    ada = person(world["customer"].id)
    first = _place(world, line(world["model"].sku, 2, ada.id))
    second = _place(world, line(world["model"].sku, 1, ada.id))
    assert use_cases.allocate_order(first.id, ACTOR).status == "allocated"
    assert use_cases.allocate_order(second.id, ACTOR).status == "allocated"
    db.session.rollback()
    oldest = _by_day(shelf["refurbished"])
    assert _serials(first) == oldest[:2] and _serials(second) == oldest[2:3]
    device = db.session.scalar(select(Device).where(Device.serial == oldest[0]))
    event = device.events[-1]
    assert (device.status, event.action, event.from_status, event.reference) == (
        "allocated",
        "allocate",
        "in_stock",
        f"order {first.id}",
    )


def test_without_refurbished_new_devices_go_oldest_first(world, shelf):
    order = _place(
        world, line(world["model"].sku, 2, person(world["customer"].id).id), accept_refurbished=False
    )
    use_cases.allocate_order(order.id, ACTOR)
    assert _serials(order) == _by_day(shelf["new"])[:2]


def test_the_lowest_grade_lets_worse_grades_in_or_keeps_them_out(world, shelf):
    ada = person(world["customer"].id)
    best = _place(world, line(world["model"].sku, 6, ada.id), lowest_grade="A")
    use_cases.allocate_order(best.id, ACTOR)  # five grade A, then the oldest new one: never grade C
    assert _serials(best) == _by_day(shelf["refurbished"]) + _by_day(shelf["new"])[:1]
    any_grade = _place(world, line(world["model"].sku, 2, ada.id), lowest_grade="C")
    use_cases.allocate_order(any_grade.id, ACTOR)
    assert sorted(_serials(any_grade)) == sorted(device.serial for device in shelf["worn"])


def test_an_order_short_of_stock_is_backordered_and_served_first_come_first_served(world):
    sku = world["model"].sku
    ada = person(world["customer"].id)
    held = stock(sku, date(2026, 10, 1))
    early = _place(world, line(sku, 2, ada.id))
    late = _place(world, line(sku, 1, ada.id))
    assert use_cases.allocate_order(early.id, ACTOR).status == "backordered"
    assert _serials(early) == [held.serial]  # it keeps what it holds
    arrived = [stock(sku, date(2026, 11, 1)), stock(sku, date(2026, 11, 2))]
    report = use_cases.allocate_backorders("scheduler")
    db.session.rollback()
    assert (report.allocated, report.backordered, report.failed) == ([early.id, late.id], [], [])
    assert _serials(early) == [held.serial, arrived[0].serial] and _serials(late) == [arrived[1].serial]
    assert use_cases.allocate_backorders("scheduler").counts() == {
        "allocated": 0,
        "backordered": 0,
        "failed": 0,
    }


def test_a_device_taken_into_stock_after_today_waits(world):
    sku = world["model"].sku
    stock(sku, TODAY)
    with clock.frozen(TODAY + timedelta(days=3)):  # as a restock dated ahead would be
        later = stock(sku, TODAY + timedelta(days=3))
    order = _place(world, line(sku, 2, person(world["customer"].id).id))
    assert use_cases.allocate_order(order.id, ACTOR).status == "backordered"
    assert later.serial not in _serials(order)


def test_an_order_that_fails_in_the_round_keeps_nothing_and_the_others_are_served(world, monkeypatch):
    sku = world["model"].sku
    ada = person(world["customer"].id)
    stock(sku, date(2026, 10, 1))
    stock(sku, date(2026, 10, 2))
    failing = _place(world, line(sku, 2, ada.id))
    served = _place(world, line(sku, 1, ada.id))
    reserve = allocation._reserve

    def reserve_then_fail(order, order_line, device_id, actor, today):
        taken = reserve(order, order_line, device_id, actor, today)
        if order.id == failing.id:
            raise Conflict("The warehouse is closed for this order.")
        return taken

    monkeypatch.setattr(allocation, "_reserve", reserve_then_fail)
    report = use_cases.allocate_backorders("scheduler")
    db.session.rollback()
    assert report.failed == [(failing.id, "The warehouse is closed for this order.")]
    assert report.allocated == [served.id]
    assert _serials(failing) == [] and db.session.get(Order, failing.id).status == "approved"
    assert len(_serials(served)) == 1


def test_an_order_waiting_for_approval_is_not_allocated(world):
    stock(world["model"].sku, date(2026, 10, 1))
    order = _place(world, line(world["model"].sku, 1, person(world["customer"].id, allowance="1.00").id))
    with pytest.raises(Conflict):
        use_cases.allocate_order(order.id, ACTOR)
    assert use_cases.allocate_backorders("scheduler").counts()["allocated"] == 0


# -- cancelling ---------------------------------------------------------------------------------------------


def test_cancelling_puts_the_devices_back_in_stock(world, shelf):
    order = _place(world, line(world["model"].sku, 2, person(world["customer"].id).id))
    use_cases.allocate_order(order.id, ACTOR)
    serials = _serials(order)
    cancelled = use_cases.cancel_order(order.id, "user@customer.example", world["customer"].id)
    db.session.rollback()
    assert (cancelled.status, cancelled.cancelled_by) == ("cancelled", "user@customer.example")
    assert _serials(order) == []
    for serial in serials:
        device = db.session.scalar(select(Device).where(Device.serial == serial))
        actions = [(e.action, e.to_status, e.reference) for e in device.events[-2:]]
        assert device.status == "in_stock"
        assert actions == [
            ("allocate", "allocated", f"order {order.id}"),
            ("release", "in_stock", f"order {order.id}"),
        ]
    states = db.session.scalars(select(OrderAllocation.state).where(OrderAllocation.order_id == order.id))
    assert set(states) == {"released"}
    with pytest.raises(Conflict):
        use_cases.cancel_order(order.id, ACTOR)
    # Back in stock today: the released devices are now the last in stock of their kind.
    again = _place(world, line(world["model"].sku, 5, person(world["customer"].id).id))
    use_cases.allocate_order(again.id, ACTOR)
    assert _serials(again) == _by_day(shelf["refurbished"])[2:] + serials


def test_another_customer_cannot_cancel(world):
    order = _place(world, line(world["model"].sku, 1, person(world["customer"].id).id))
    with pytest.raises(NotFound):
        use_cases.cancel_order(order.id, ACTOR, factories.customer().id)


# -- the replacement a refresh opens ------------------------------------------------------------------------


POLICY = UpgradePolicy()


def _refresh_of(world, deployment, sku=None):
    refresh = RefreshOrder(
        device_id=deployment.device_id,
        contract_id=world["contract"].id,
        deployment_id=deployment.id,
        due_date=date(2026, 12, 10),
        proposed_action="replace",
        reason="battery worn",
    )
    db.session.add(refresh)
    db.session.flush()
    return refresh


def test_approving_a_replacement_opens_an_approved_order_for_the_person(world):
    ada = person(world["customer"].id, allowance="0.00")  # a replacement never waits for an approver
    old = factories.device(world["model"].sku)
    deployment = deploy_device(world["contract"].id, old.serial, date(2026, 2, 1), ACTOR)
    deployment.person_id = ada.id
    refresh = _refresh_of(world, deployment)
    logistics_use_cases.approve_refresh(refresh.id, "replace", ACTOR, 14, world["model"].sku)
    db.session.rollback()
    order = db.session.scalar(select(Order).where(Order.refresh_order_id == refresh.id))
    view = order_views.order_view(order)
    assert (view["status"], view["requested_date"], view["region"]) == (
        "approved",
        date(2026, 12, 10),
        "NL-AMS-WEST",
    )
    assert view["lines"] == [{"sku": world["model"].sku, "quantity": 1, "person_id": ada.id, "serials": []}]
    assert view["address"]["line1"] == "Keizersgracht 10"
    assert db.session.get(RefreshOrder, refresh.id).completes_on_delivery is True
    with pytest.raises(Conflict):  # its delivery completes it
        complete_refresh(refresh.id, TODAY, ACTOR, POLICY)


def test_a_replacement_for_no_one_goes_to_the_customers_billing_address(world):
    old = factories.device(world["model"].sku)
    deployment = deploy_device(world["contract"].id, old.serial, date(2026, 2, 1), ACTOR)
    refresh = _refresh_of(world, deployment)
    refresh.due_date = date(2026, 11, 20)
    logistics_use_cases.approve_refresh(refresh.id, "replace", ACTOR, 14, world["model"].sku)
    order = db.session.scalar(select(Order).where(Order.refresh_order_id == refresh.id))
    assert (order.address_line1, order.city, order.region, order.lines[0].person_id) == (
        "Herengracht 1",
        "Amsterdam",
        "NL-AMS",
        None,
    )


def test_a_replacement_the_plan_does_not_bill_approves_nothing(world):
    old = factories.device(world["model"].sku)
    deployment = deploy_device(world["contract"].id, old.serial, date(2026, 2, 1), ACTOR)
    refresh = _refresh_of(world, deployment)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        logistics_use_cases.approve_refresh(refresh.id, "replace", ACTOR, 14, factories.device_model().sku)
    assert set(refused.value.errors) == {"replacement_sku"}
    assert db.session.get(RefreshOrder, refresh.id).status == RefreshStatus.OPEN
    assert db.session.scalars(select(Order)).all() == []


def test_an_old_style_replacement_without_an_order_is_still_completed_by_hand(world):
    old = factories.device(world["model"].sku)
    deployment = deploy_device(world["contract"].id, old.serial, date(2026, 2, 1), ACTOR)
    refresh = _refresh_of(world, deployment)
    refresh.status, refresh.action, refresh.replacement_sku = "approved", "replace", world["model"].sku
    new = factories.device(world["model"].sku)
    db.session.flush()
    completed = logistics_use_cases.complete_refresh(refresh.id, TODAY, ACTOR, POLICY)
    assert completed.status == "completed" and completed.replacement_device_id == new.id


def test_custody_events_of_an_allocation_are_the_contracts(world, shelf):
    order = _place(world, line(world["model"].sku, 1, person(world["customer"].id).id))
    use_cases.allocate_order(order.id, ACTOR)
    event = db.session.scalar(select(CustodyEvent).where(CustodyEvent.action == "allocate"))
    assert event.contract_id == world["contract"].id
