"""The logistics use cases: each commits what it did when it returns, and leaves nothing of it behind when
it raises, part-way writes included. Pickup slots, return orders from request to receipt, refresh orders
from decision to completion, the planning round, and the takeback of a device (wipe to disposition).

`db.session.rollback()` after a use case proves it committed: nothing it wrote is left open to roll back.
Set-up data is committed before a use case that must fail, so that its rollback shows only its own work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.core.jobs import JobContext
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device, HarvestedPart, WipeCertificate
from daas.extensions import db
from daas.jobs.logistics import end_of_term_returns_job, refresh_plan_job
from daas.logistics.models import (
    DeviceUpgrade,
    PickupSlot,
    RefreshOrder,
    RefreshStatus,
    ReturnOrder,
    ReturnOrderDevice,
    ReturnReason,
    ReturnStatus,
)
from daas.logistics.rules import RefreshAction, UpgradePolicy
from daas.orders.models import Order
from daas.settings import current_settings
from daas.usecases import logistics as use_cases
from tests import factories
from tests.helpers import settings_of

ACTOR = factories.ACTOR
REGION = "NL-NH"
ADDRESS = "Keizersgracht 1, 1015 CJ Amsterdam"
POLICY = UpgradePolicy(min_battery=80, extension_months=12)
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}


@pytest.fixture
def fleet(database, today):
    """A customer with a pickup address and a contract from 2025-01-01 on a 24-month refresh cycle: a
    healthy laptop (upgrade proposed) and a worn one (replace) deployed on 2025-01-15, due 2027-01-15;
    a spare in stock; a pickup slot in the region on 2026-11-20 with two places."""
    model = factories.device_model(sku=factories.unique("LAT"), expected_lifetime_months=60)
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    customer = factories.customer(
        pickup_region=REGION,
        pickup_address=ADDRESS,
        address_line1="Keizersgracht 1",
        postcode="1015 CJ",
        city="Amsterdam",
    )
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    serials = {}
    for name, battery in (("healthy", 91), ("worn", 64)):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, date(2025, 1, 15), ACTOR)
        serials[name] = device.serial
    serials["spare"] = factories.device(
        model.sku, manufactured_on=date(2026, 6, 1), on=date(2026, 7, 1)
    ).serial
    slot = PickupSlot(region=REGION, date=date(2026, 11, 20), capacity=2, booked=0)
    db.session.add(slot)
    db.session.flush()
    return {"contract": contract, "customer": customer, "model": model, "slot": slot.id, **serials}


def _device(serial: str) -> Device:
    return db.session.scalar(select(Device).where(Device.serial == serial))


def _status(serial: str) -> str:
    return _device(serial).status


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _request(fleet, *names: str, day: date = date(2026, 11, 18)) -> ReturnOrder:
    return use_cases.request_return(
        fleet["contract"].id,
        [fleet[name] for name in names],
        ReturnReason.EARLY_RETURN,
        day,
        REGION,
        ADDRESS,
        ACTOR,
        14,
    )


# -- pickup slots -------------------------------------------------------------------------------------------


def test_opening_a_slot_and_changing_its_capacity_are_kept(database):
    slot = use_cases.open_pickup_slot("DE-BE", date(2026, 12, 1), 3)
    db.session.rollback()
    stored = db.session.get(PickupSlot, slot.id)
    assert (stored.region, stored.date, stored.capacity, stored.booked) == ("DE-BE", date(2026, 12, 1), 3, 0)

    use_cases.change_pickup_capacity(slot.id, 5)
    db.session.rollback()
    assert db.session.get(PickupSlot, slot.id).capacity == 5


def test_a_refused_slot_or_capacity_changes_nothing(fleet):
    db.session.commit()
    with pytest.raises(Conflict, match="exists already"):
        use_cases.open_pickup_slot(REGION, date(2026, 11, 20), 9)
    _request(fleet, "healthy", "worn")  # one order: one place
    with pytest.raises(Conflict, match="1 pickups are booked"):
        use_cases.change_pickup_capacity(fleet["slot"], 0)
    slot = db.session.get(PickupSlot, fleet["slot"])
    assert (slot.capacity, slot.booked) == (2, 1)
    assert _count(PickupSlot) == 1


# -- return orders ------------------------------------------------------------------------------------------


def test_a_return_goes_from_request_to_receipt_and_every_step_is_kept(fleet):
    order = _request(fleet, "healthy")
    db.session.rollback()
    order = db.session.get(ReturnOrder, order.id)
    assert (order.status, order.slot_id, order.requested_date) == (
        ReturnStatus.SCHEDULED,
        fleet["slot"],
        date(2026, 11, 18),
    )
    assert db.session.get(PickupSlot, fleet["slot"]).booked == 1
    assert _status(fleet["healthy"]) == DeviceStatus.RETURN_SCHEDULED

    with clock.frozen(date(2026, 11, 20)):
        use_cases.record_pickup(order.id, date(2026, 11, 20), ACTOR, "DHL", "JD0001")
        db.session.rollback()
        order = db.session.get(ReturnOrder, order.id)
        assert (order.status, order.picked_up_on, order.carrier, order.tracking) == (
            ReturnStatus.PICKED_UP,
            date(2026, 11, 20),
            "DHL",
            "JD0001",
        )
        deployment = db.session.scalar(
            select(Deployment).join(Device).where(Device.serial == fleet["healthy"])
        )
        assert deployment.end_date == date(2026, 11, 20)  # not billed from the pickup day
        assert _status(fleet["healthy"]) == DeviceStatus.IN_TRANSIT

        use_cases.receive_return(order.id, date(2026, 11, 20), ACTOR)
        db.session.rollback()
        order = db.session.get(ReturnOrder, order.id)
        assert (order.status, order.received_on) == (ReturnStatus.RECEIVED, date(2026, 11, 20))
        assert _status(fleet["healthy"]) == DeviceStatus.RECEIVED


def test_moving_and_cancelling_a_pickup_are_kept(fleet):
    later = PickupSlot(region=REGION, date=date(2026, 11, 25), capacity=1, booked=0)
    db.session.add(later)
    db.session.flush()
    order = _request(fleet, "worn")

    use_cases.schedule_pickup(order.id, date(2026, 11, 25))
    db.session.rollback()
    assert db.session.get(ReturnOrder, order.id).slot_id == later.id
    assert (
        db.session.get(PickupSlot, fleet["slot"]).booked,
        db.session.get(PickupSlot, later.id).booked,
    ) == (
        0,
        1,
    )

    use_cases.cancel_return(order.id, ACTOR)
    db.session.rollback()
    order = db.session.get(ReturnOrder, order.id)
    assert (order.status, order.slot_id) == (ReturnStatus.CANCELLED, None)
    assert db.session.get(PickupSlot, later.id).booked == 0
    assert _status(fleet["worn"]) == DeviceStatus.DEPLOYED


def test_a_refused_return_request_leaves_no_order_and_books_nothing(fleet):
    db.session.commit()
    with pytest.raises(Invalid, match="not on this contract"):
        use_cases.request_return(
            fleet["contract"].id,
            [fleet["healthy"], fleet["spare"]],
            ReturnReason.DEFECT,
            date(2026, 11, 18),
            REGION,
            ADDRESS,
            ACTOR,
            14,
        )
    assert _count(ReturnOrder) == 0
    assert db.session.get(PickupSlot, fleet["slot"]).booked == 0
    assert _status(fleet["healthy"]) == DeviceStatus.DEPLOYED


def test_a_return_refused_for_its_second_device_leaves_the_first_deployed(fleet):
    """The request moves the first device and records the order before it finds that the second one's
    deployment starts after today: the rollback undoes the order and the first device's move too."""
    late = factories.device(fleet["model"].sku, on=date(2026, 11, 1))
    deploy_device(fleet["contract"].id, late.serial, date(2026, 11, 25), ACTOR)
    fleet["late"] = late.serial
    db.session.commit()
    events = _count(CustodyEvent)
    with pytest.raises(Invalid, match="before the device's last recorded event"):
        _request(fleet, "healthy", "late")
    assert (_count(ReturnOrder), _count(ReturnOrderDevice), _count(CustodyEvent)) == (0, 0, events)
    assert _status(fleet["healthy"]) == _status(late.serial) == DeviceStatus.DEPLOYED
    assert db.session.get(PickupSlot, fleet["slot"]).booked == 0


def test_a_pickup_recorded_ahead_of_time_changes_nothing(fleet):
    order = _request(fleet, "healthy")
    with pytest.raises(Invalid, match="cannot be recorded in the future"):
        use_cases.record_pickup(order.id, date(2026, 11, 20), ACTOR)
    assert db.session.get(ReturnOrder, order.id).status == ReturnStatus.SCHEDULED  # the request stands
    assert _status(fleet["healthy"]) == DeviceStatus.RETURN_SCHEDULED
    assert (
        db.session.scalar(select(Deployment.end_date).join(Device).where(Device.serial == fleet["healthy"]))
        is None
    )


# -- refresh orders and the planning round ------------------------------------------------------------------


def test_the_planning_round_is_kept_and_opens_nothing_twice(fleet):
    report = use_cases.plan_refreshes(date(2026, 11, 20), 60, POLICY, 14, "planner")
    db.session.rollback()
    orders = db.session.scalars(select(RefreshOrder).order_by(RefreshOrder.id)).all()
    assert [order.id for order in orders] == report.refresh_orders
    proposed = {_device_serial(order.device_id): (order.proposed_action, order.status) for order in orders}
    assert proposed == {
        fleet["healthy"]: (RefreshAction.UPGRADE, RefreshStatus.OPEN),
        fleet["worn"]: (RefreshAction.REPLACE, RefreshStatus.OPEN),
    }
    assert {order.due_date for order in orders} == {date(2027, 1, 15)}
    again = use_cases.plan_refreshes(date(2026, 11, 21), 60, POLICY, 14, "planner")
    assert (again.refresh_orders, again.end_of_term_orders) == ([], [])
    assert _count(RefreshOrder) == 2


def _device_serial(device_id: int) -> str:
    return db.session.get(Device, device_id).serial


def test_the_jobs_run_the_two_halves_of_the_round(app, fleet):
    """The refresh half opens refresh orders; the end-of-term half opens a return for a contract ending
    within the lead time, as the scheduler's actor, and lists a customer without a pickup address."""
    ending = factories.contract(
        fleet["customer"].id, start_date=date(2024, 1, 1), end_date=date(2026, 12, 20)
    )
    on_ending = factories.device(on=date(2024, 1, 1))
    deploy_device(ending.id, on_ending.serial, date(2024, 1, 2), ACTOR)
    nowhere = factories.contract(start_date=date(2024, 1, 1), end_date=date(2026, 12, 10))
    deploy_device(nowhere.id, factories.device(on=date(2024, 1, 1)).serial, date(2024, 1, 2), ACTOR)
    context = JobContext(settings_of(app), datetime(2026, 11, 20, 4, tzinfo=UTC))  # due 2027-01-15 is in

    assert refresh_plan_job(context) == {"refresh_orders": 2}
    counts = end_of_term_returns_job(context)
    db.session.rollback()
    assert counts["end_of_term_orders"] == 1
    assert counts["skipped"] == [
        f"contract {nowhere.id}: customer {nowhere.customer_id} has no pickup address"
    ]
    order = db.session.scalar(select(ReturnOrder).where(ReturnOrder.contract_id == ending.id))
    assert (order.reason, order.actor, order.requested_date) == (
        ReturnReason.END_OF_TERM,
        "scheduler",
        date(2026, 12, 20),
    )
    assert _count(RefreshOrder) == 2


def test_approving_a_replacement_is_kept_with_the_return_of_the_old_device(fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    worn = _order_of(fleet["worn"])
    use_cases.approve_refresh(worn.id, RefreshAction.REPLACE, ACTOR, 14, fleet["model"].sku)
    db.session.rollback()
    worn = db.session.get(RefreshOrder, worn.id)
    assert (worn.status, worn.action, worn.replacement_sku, worn.decided_by) == (
        RefreshStatus.APPROVED,
        RefreshAction.REPLACE,
        fleet["model"].sku,
        ACTOR,
    )
    back = db.session.scalar(select(ReturnOrder).where(ReturnOrder.refresh_order_id == worn.id))
    assert (back.reason, back.requested_date) == (ReturnReason.REFRESH, date(2027, 1, 15))
    assert _status(fleet["worn"]) == DeviceStatus.RETURN_SCHEDULED
    # The replacement ships through an approved order to the customer (the device serves no person), and
    # its delivery completes the refresh: not a completion by hand.
    replacement = db.session.scalar(select(Order).where(Order.refresh_order_id == worn.id))
    assert (replacement.status, replacement.requested_date, replacement.city) == (
        "approved",
        date(2027, 1, 15),
        "Amsterdam",
    )
    assert worn.completes_on_delivery is True
    with clock.frozen(date(2027, 1, 15)), pytest.raises(Conflict, match="its delivery completes it"):
        use_cases.complete_refresh(worn.id, date(2027, 1, 15), ACTOR, POLICY)
    assert db.session.get(RefreshOrder, worn.id).status == RefreshStatus.APPROVED
    assert _status(fleet["spare"]) == DeviceStatus.IN_STOCK


def test_an_upgrade_rescheduled_and_completed_is_kept_and_moves_the_due_date(fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    healthy = _order_of(fleet["healthy"])
    use_cases.reschedule_refresh(healthy.id, date(2027, 1, 5))
    use_cases.approve_refresh(healthy.id, RefreshAction.UPGRADE, ACTOR, 14)
    db.session.rollback()
    healthy = db.session.get(RefreshOrder, healthy.id)
    assert (healthy.due_date, healthy.status, healthy.action) == (
        date(2027, 1, 5),
        RefreshStatus.APPROVED,
        RefreshAction.UPGRADE,
    )

    use_cases.complete_refresh(healthy.id, date(2026, 11, 30), ACTOR, POLICY, kit="battery")
    db.session.rollback()
    upgrade = db.session.scalar(select(DeviceUpgrade).where(DeviceUpgrade.refresh_order_id == healthy.id))
    assert (upgrade.kit, upgrade.extension_months, upgrade.performed_on) == (
        "battery",
        12,
        date(2026, 11, 30),
    )
    assert db.session.get(RefreshOrder, healthy.id).status == RefreshStatus.COMPLETED
    assert _status(fleet["healthy"]) == DeviceStatus.DEPLOYED


def test_an_approval_whose_return_is_refused_stays_open(fleet):
    """Approving a replacement flushes the decision, then books the return of the old device; when the
    device is already on its way back the booking is refused, and the decision goes with it."""
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    _request(fleet, "worn")
    worn = _order_of(fleet["worn"])
    db.session.commit()
    with pytest.raises(Conflict, match="return_scheduled cannot schedule return"):
        use_cases.approve_refresh(worn.id, RefreshAction.REPLACE, ACTOR, 14)
    worn = db.session.get(RefreshOrder, worn.id)
    assert (worn.status, worn.action, worn.decided_by) == (RefreshStatus.OPEN, None, None)
    assert _count(ReturnOrder) == 1


def _order_of(serial: str) -> RefreshOrder:
    return db.session.scalar(
        select(RefreshOrder).join(Device, Device.id == RefreshOrder.device_id).where(Device.serial == serial)
    )


# -- takeback -----------------------------------------------------------------------------------------------


def _received(fleet, *names: str) -> ReturnOrder:
    order = _request(fleet, *names)
    with clock.frozen(date(2026, 11, 20)):
        use_cases.record_pickup(order.id, date(2026, 11, 20), ACTOR)
        use_cases.receive_return(order.id, date(2026, 11, 20), ACTOR)
    return order


def test_a_device_taken_back_step_by_step_is_kept_and_closes_its_return_order(fleet):
    order = _received(fleet, "healthy", "worn")
    with clock.frozen(date(2026, 11, 21)):
        for name, grade, disposition in (("healthy", "A", "redeploy"), ("worn", "C", "harvest")):
            certificate = use_cases.wipe_device(fleet[name], {**WIPE, "on": date(2026, 11, 21)}, ACTOR)
            use_cases.grade_device(
                fleet[name], grade, ACTOR, date(2026, 11, 21), policy=current_settings().end_of_term
            )
            assert db.session.get(ReturnOrder, order.id).status == ReturnStatus.RECEIVED
            parts = [{"part": "battery", "weight_kg": "0.310"}] if disposition == "harvest" else ()
            use_cases.dispose_device(fleet[name], disposition, ACTOR, date(2026, 11, 21), parts)
            db.session.rollback()
            stored = db.session.get(WipeCertificate, certificate.id)
            assert (stored.method, stored.life, stored.performed_on) == ("purge", 1, date(2026, 11, 21))
            assert _device(fleet[name]).grade == grade
    assert (_status(fleet["healthy"]), _status(fleet["worn"])) == (
        DeviceStatus.IN_STOCK,
        DeviceStatus.HARVESTED,
    )
    assert db.session.scalars(select(HarvestedPart.weight_kg)).all() == [Decimal("0.310")]
    assert db.session.get(ReturnOrder, order.id).status == ReturnStatus.CLOSED  # the last device settled it


def test_a_refurbished_device_restocked_is_kept_and_a_lost_one_ends_its_deployment(fleet):
    order = _received(fleet, "healthy")
    with clock.frozen(date(2026, 11, 21)):
        use_cases.wipe_device(fleet["healthy"], WIPE, ACTOR)
        use_cases.grade_device(fleet["healthy"], "B", ACTOR, policy=current_settings().end_of_term)
        use_cases.dispose_device(fleet["healthy"], "refurbish", ACTOR)
        assert db.session.get(ReturnOrder, order.id).status == ReturnStatus.CLOSED  # refurbishing settles
        use_cases.restock_device(fleet["healthy"], ACTOR, date(2026, 11, 22))
        use_cases.lose_device(
            fleet["worn"],
            ACTOR,
            date(2026, 11, 21),
            "stolen from the office",
            policy=current_settings().end_of_term,
        )
    db.session.rollback()
    assert (_status(fleet["healthy"]), _status(fleet["worn"])) == (DeviceStatus.IN_STOCK, DeviceStatus.LOST)
    lost = db.session.scalar(
        select(CustodyEvent)
        .join(Device)
        .where(Device.serial == fleet["worn"])
        .order_by(CustodyEvent.seq.desc())
    )
    assert (lost.action, lost.occurred_on, lost.note) == (
        "lose",
        date(2026, 11, 21),
        "stolen from the office",
    )
    ended = db.session.scalar(select(Deployment.end_date).join(Device).where(Device.serial == fleet["worn"]))
    assert ended == date(2026, 11, 21)


def test_a_refused_takeback_step_records_nothing(fleet):
    _received(fleet, "healthy")
    db.session.commit()
    events = _count(CustodyEvent)
    with clock.frozen(date(2026, 11, 21)):
        with pytest.raises(Conflict, match="received cannot grade"):
            use_cases.grade_device(fleet["healthy"], "A", ACTOR, policy=current_settings().end_of_term)
        with pytest.raises(Conflict, match="wipe must be purge or destroy"):
            use_cases.wipe_device(fleet["healthy"], {**WIPE, "method": "clear"}, ACTOR)
            use_cases.grade_device(fleet["healthy"], "A", ACTOR, policy=current_settings().end_of_term)
            use_cases.dispose_device(fleet["healthy"], "recycle", ACTOR)
        # The clear wipe and the grade were committed by their own use cases; the refused recycling is gone.
        assert _status(fleet["healthy"]) == DeviceStatus.GRADED
        assert _count(CustodyEvent) == events + 2
        with pytest.raises(Conflict, match="deployed cannot restock"):
            use_cases.restock_device(fleet["worn"], ACTOR)
    assert _status(fleet["worn"]) == DeviceStatus.DEPLOYED
    assert _count(CustodyEvent) == events + 2
