"""The outbox events of logistics and the way out, recorded by the real workflows through their use cases:
`refresh.proposed` (the planning round, its job), `refresh.approved` (an upgrade, a replacement),
`pickup.booked` and `pickup.moved` (a return requested, scheduled, moved), `delivery.shipped` and
`delivery.delivered` (a shipment packed, shipped, delivered); each with its customer and every key its
type lists; once however often the step is tried, and gone with a use case that raises after recording."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.core.jobs import JobContext
from daas.devices.models import Device
from daas.extensions import db
from daas.jobs.logistics import refresh_plan_job
from daas.logistics.models import PickupSlot, RefreshOrder, ReturnOrder, ReturnReason
from daas.logistics.rules import RefreshAction, UpgradePolicy
from daas.orders import delivery_slots
from daas.usecases import logistics as use_cases
from daas.usecases import shipments as shipment_use_cases
from tests import factories
from tests.helpers import settings_of
from tests.outbox_helpers import assert_event, events, keys, the_event
from tests.shipment_helpers import fleet as shipment_fleet
from tests.shipment_helpers import reserved_order

ACTOR = "it@customer.example"
REGION = "NL-NH"
ADDRESS = "Keizersgracht 1, 1015 CJ Amsterdam"
POLICY = UpgradePolicy(min_battery=80, extension_months=12)


@pytest.fixture
def fleet(database, today):
    """A customer with a pickup address, on a plan that bills one laptop model with a 24-month refresh
    cycle, from 2025-01-01: a healthy laptop (an upgrade is proposed) and a worn one (a replacement),
    deployed 2025-01-15 and due 2027-01-15; pickup slots in the region on 2026-11-20 and 2027-01-18."""
    model = factories.device_model(sku=factories.unique("LAT"), expected_lifetime_months=60)
    plan = factories.plan(
        refresh_cycle_months=24,
        term_months=48,
        charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00"), "device_model_sku": model.sku}],
    )
    customer = factories.customer(
        pickup_region=REGION,
        pickup_address=ADDRESS,
        address_line1="Keizersgracht 1",
        postcode="1015 CJ",
        city="Amsterdam",
    )
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    world = {"contract": contract, "customer": customer, "model": model}
    for name, battery in (("healthy", 91), ("worn", 64)):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, date(2025, 1, 15), ACTOR)
        world[name] = device.serial
    for day in (date(2026, 11, 20), date(2027, 1, 18)):
        db.session.add(PickupSlot(region=REGION, date=day, capacity=2, booked=0))
    db.session.commit()
    return world


def _refresh_of(serial: str) -> RefreshOrder:
    device_id = db.session.scalar(select(Device.id).where(Device.serial == serial))
    return db.session.scalar(select(RefreshOrder).where(RefreshOrder.device_id == device_id))


# -- refresh orders ----------------------------------------------------------------------------------------


def test_the_planning_round_proposes_each_refresh_once(app, fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    db.session.rollback()
    for name in ("healthy", "worn"):
        order = _refresh_of(fleet[name])
        assert_event(
            the_event("refresh.proposed", f"refresh_order:{order.id}"),
            fleet["customer"].id,
            {
                "refresh_order_id": order.id,
                "contract_id": fleet["contract"].id,
                "device_serial": fleet[name],
                "device_model": "Latitude 5430",
                "due_date": "2027-01-15",
            },
        )
    use_cases.plan_refresh_orders(date(2026, 11, 21), 60, POLICY)  # again, and as the job does
    assert refresh_plan_job(JobContext(settings_of(app), datetime(2026, 11, 22, 4, tzinfo=UTC))) == {
        "refresh_orders": 0
    }
    assert len(events("refresh.proposed")) == 2


def test_an_approved_upgrade_says_who_approved_it_once(fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    order = _refresh_of(fleet["healthy"])
    use_cases.approve_refresh(order.id, RefreshAction.UPGRADE, ACTOR, 14)
    db.session.rollback()
    assert_event(
        the_event("refresh.approved", f"refresh_order:{order.id}"),
        fleet["customer"].id,
        {
            "refresh_order_id": order.id,
            "contract_id": fleet["contract"].id,
            "device_serial": fleet["healthy"],
            "due_date": "2027-01-15",
            "approved_by": ACTOR,
        },
    )
    with pytest.raises(Conflict):
        use_cases.approve_refresh(order.id, RefreshAction.UPGRADE, ACTOR, 14)
    assert len(events("refresh.approved")) == 1
    assert events("pickup.booked") == []  # an upgrade keeps the device: nothing to collect


def test_an_approved_replacement_books_the_old_devices_pickup(fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    order = _refresh_of(fleet["worn"])
    use_cases.approve_refresh(order.id, RefreshAction.REPLACE, ACTOR, 14, fleet["model"].sku)
    db.session.rollback()
    assert the_event("refresh.approved", f"refresh_order:{order.id}").data["device_serial"] == fleet["worn"]
    back = db.session.scalar(select(ReturnOrder).where(ReturnOrder.refresh_order_id == order.id))
    assert_event(
        the_event("pickup.booked", f"return_order:{back.id}:pickup:2027-01-18"),
        fleet["customer"].id,
        {
            "return_order_id": back.id,
            "contract_id": fleet["contract"].id,
            "pickup_date": "2027-01-18",  # the first slot with room from the due date
            "previous_date": None,
            "serials": [fleet["worn"]],
        },
    )


def test_a_replacement_the_plan_does_not_bill_records_nothing(fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    order = _refresh_of(fleet["worn"])
    other = factories.device_model().sku
    db.session.commit()
    with pytest.raises(Invalid) as refused:  # raised after the approval and the pickup were recorded
        use_cases.approve_refresh(order.id, RefreshAction.REPLACE, ACTOR, 14, other)
    assert set(refused.value.errors) == {"replacement_sku"}
    assert (events("refresh.approved"), events("pickup.booked")) == ([], [])
    assert db.session.scalars(select(ReturnOrder)).all() == []


# -- pickups -----------------------------------------------------------------------------------------------


def _request(fleet, serial: str, day: date) -> ReturnOrder:
    return use_cases.request_return(
        fleet["contract"].id, [serial], ReturnReason.EARLY_RETURN, day, REGION, ADDRESS, ACTOR, 14
    )


def test_a_pickup_booked_then_moved_is_told_once_per_day(fleet):
    order = _request(fleet, fleet["healthy"], date(2026, 11, 18))
    booked = the_event("pickup.booked", f"return_order:{order.id}:pickup:2026-11-20")
    assert_event(
        booked,
        fleet["customer"].id,
        {
            "return_order_id": order.id,
            "contract_id": fleet["contract"].id,
            "pickup_date": "2026-11-20",
            "previous_date": None,
            "serials": [fleet["healthy"]],
        },
    )
    use_cases.open_pickup_slot(REGION, date(2026, 11, 25), 1)
    use_cases.schedule_pickup(order.id, date(2026, 11, 25))
    use_cases.schedule_pickup(order.id, date(2026, 11, 25))  # the day it has: nothing moves
    db.session.rollback()
    assert_event(
        the_event("pickup.moved", f"return_order:{order.id}:pickup:2026-11-25"),
        fleet["customer"].id,
        {
            "return_order_id": order.id,
            "contract_id": fleet["contract"].id,
            "pickup_date": "2026-11-25",
            "previous_date": "2026-11-20",
            "serials": [fleet["healthy"]],
        },
    )
    assert (len(events("pickup.booked")), len(events("pickup.moved"))) == (1, 1)


def test_a_return_without_a_slot_is_booked_when_it_is_scheduled(fleet):
    order = _request(fleet, fleet["worn"], date(2027, 3, 1))  # no slot within the window
    assert events("pickup.booked") == []
    use_cases.open_pickup_slot(REGION, date(2027, 3, 4), 1)
    use_cases.schedule_pickup(order.id, date(2027, 3, 4))
    assert keys("pickup.booked") == [f"return_order:{order.id}:pickup:2027-03-04"]
    assert the_event("pickup.booked", keys("pickup.booked")[0]).data["previous_date"] is None
    assert events("pickup.moved") == []


def test_a_refused_move_records_nothing(fleet):
    order = _request(fleet, fleet["healthy"], date(2026, 11, 18))
    with pytest.raises(Invalid):  # no slot that day
        use_cases.schedule_pickup(order.id, date(2026, 11, 26))
    assert events("pickup.moved") == []


# -- deliveries --------------------------------------------------------------------------------------------


def test_a_shipment_is_told_shipped_with_its_tracking_then_delivered_once_each(database, today):
    world = shipment_fleet()
    delivery_slots.create_slot("NL-NH", date(2026, 11, 15), 3)
    order, serials = reserved_order(world, 2)
    packing = [{"material": "cardboard", "kg": Decimal("0.850")}]
    shipment = shipment_use_cases.create_shipment(order.id, serials, "logistics", packaging=packing)
    assert (events("delivery.shipped"), events("delivery.delivered")) == ([], [])  # packed only

    with clock.frozen(date(2026, 11, 16)):
        shipped_on = date(2026, 11, 15)
        shipment_use_cases.ship_shipment(shipment.id, "DHL Express", "JD0146", shipped_on, "logistics")
        with pytest.raises(Conflict):
            shipment_use_cases.ship_shipment(shipment.id, "DHL Express", "JD0146", None, "logistics")
        db.session.rollback()
        assert_event(
            the_event("delivery.shipped", f"shipment:{shipment.id}"),
            world.customer.id,
            {
                "order_id": order.id,
                "shipment_id": shipment.id,
                "carrier": "DHL Express",
                "tracking_number": "JD0146",
                "tracking_url": None,
                "serials": serials,
            },
        )
        shipment_use_cases.deliver_shipment(shipment.id, date(2026, 11, 16), "A. de Vries", "logistics")
        with pytest.raises(Conflict):
            shipment_use_cases.deliver_shipment(shipment.id, date(2026, 11, 16), "A. de Vries", "logistics")
    assert_event(
        the_event("delivery.delivered", f"shipment:{shipment.id}"),
        world.customer.id,
        {
            "order_id": order.id,
            "shipment_id": shipment.id,
            "delivered_on": "2026-11-16",
            "serials": serials,
        },
    )
    assert (len(events("delivery.shipped")), len(events("delivery.delivered"))) == (1, 1)


def test_a_failed_delivery_is_not_delivered(database, today):
    world = shipment_fleet()
    order, serials = reserved_order(world)
    packing = [{"material": "cardboard", "kg": Decimal("0.850")}]
    shipment = shipment_use_cases.create_shipment(order.id, serials, "logistics", packaging=packing)
    shipment_use_cases.ship_shipment(shipment.id, "PostNL", "3SABCD1234", None, "logistics")
    shipment_use_cases.fail_shipment(shipment.id, True, "logistics")
    assert keys("delivery.shipped") == [f"shipment:{shipment.id}"]
    assert events("delivery.delivered") == []
