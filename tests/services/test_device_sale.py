"""A device sold to the customer it serves (use case logistics.sell_device): its deployment ends on the sale
day with one `sell` custody event; it leaves the return orders waiting for it and its refresh orders still
to be done, and nothing opens one for it again; what does not fit is refused and changes nothing.

`db.session.rollback()` after the use case proves it committed. Set-up data is committed before a sale
that must fail, so that its rollback shows only its own work.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core.errors import Conflict, Invalid, NotFound
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics import returns
from daas.logistics.models import (
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
from daas.people.models import Person, PersonStatus
from daas.people.services import create_person
from daas.settings import current_settings
from daas.usecases import logistics as use_cases
from daas.usecases import people as people_use_cases
from tests import factories

ACTOR = factories.ACTOR
REGION = "NL-NH"
ADDRESS = "Keizersgracht 1, 1015 CJ Amsterdam"
POLICY = UpgradePolicy(min_battery=80, extension_months=12)
SALE = "buy-out charge 12"


@pytest.fixture
def fleet(database, today):
    """A customer with a pickup address and a contract from 2025-01-01 (48 months, refresh every 24):
    a healthy laptop (an upgrade is proposed for it), a worn one (a replacement) and two more deployed on
    2025-01-15, due 2027-01-15; a pickup slot in the region on 2026-11-20 with three places."""
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
    for name, battery in (("healthy", 91), ("worn", 64), ("third", 90), ("fourth", 90)):
        device = factories.device(
            model.sku, manufactured_on=date(2024, 10, 1), battery_health=battery, on=date(2024, 12, 1)
        )
        deploy_device(contract.id, device.serial, date(2025, 1, 15), ACTOR)
        serials[name] = device.serial
    serials["spare"] = factories.device(model.sku, on=date(2026, 7, 1)).serial
    slot = PickupSlot(region=REGION, date=date(2026, 11, 20), capacity=3, booked=0)
    db.session.add(slot)
    db.session.flush()
    return {"contract": contract, "customer": customer, "model": model, "slot": slot.id, **serials}


def _device(serial: str) -> Device:
    return db.session.scalar(select(Device).where(Device.serial == serial))


def _events(serial: str) -> list[CustodyEvent]:
    return list(
        db.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.device_id == _device(serial).id)
            .order_by(CustodyEvent.seq)
        )
    )


def _deployment(serial: str) -> Deployment:
    return db.session.scalar(
        select(Deployment).where(Deployment.device_id == _device(serial).id).order_by(Deployment.id.desc())
    )


def _refresh_of(serial: str) -> RefreshOrder:
    return db.session.scalar(select(RefreshOrder).where(RefreshOrder.device_id == _device(serial).id))


def _return(fleet, *names: str) -> ReturnOrder:
    return use_cases.request_return(
        fleet["contract"].id,
        [fleet[name] for name in names],
        ReturnReason.EARLY_RETURN,
        date(2026, 11, 18),
        REGION,
        ADDRESS,
        ACTOR,
        14,
    )


def test_a_sold_device_ends_its_deployment_on_the_sale_day_with_one_custody_event(fleet):
    before = len(_events(fleet["healthy"]))
    device = use_cases.sell_device(fleet["contract"].id, fleet["healthy"], date(2026, 11, 10), SALE, ACTOR)
    db.session.rollback()
    device = db.session.get(Device, device.id)
    assert (device.status, device.lives) == (DeviceStatus.SOLD, 1)
    deployment = _deployment(fleet["healthy"])
    # [2025-01-15, 2026-11-10): the sale day is not served, so not billed.
    assert (deployment.start_date, deployment.end_date) == (date(2025, 1, 15), date(2026, 11, 10))
    events = _events(fleet["healthy"])
    assert len(events) == before + 1
    sold = events[-1]
    assert (
        sold.action,
        sold.from_status,
        sold.to_status,
        sold.occurred_on,
        sold.contract_id,
        sold.reference,
        sold.actor,
    ) == ("sell", "deployed", "sold", date(2026, 11, 10), fleet["contract"].id, SALE, ACTOR)
    # Final: nothing more can be done with it, and selling it again finds no deployment.
    with pytest.raises(NotFound, match="is not deployed on contract"):
        use_cases.sell_device(fleet["contract"].id, fleet["healthy"], date(2026, 11, 15), SALE, ACTOR)
    with pytest.raises(Conflict, match="sold to its customer"):
        use_cases.lose_device(fleet["healthy"], ACTOR, policy=current_settings().end_of_term)


def test_the_sale_cancels_the_refresh_orders_still_to_be_done_and_the_planner_opens_none_again(fleet):
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    use_cases.approve_refresh(_refresh_of(fleet["third"]).id, RefreshAction.UPGRADE, ACTOR, 14)
    for name in ("healthy", "third"):
        use_cases.sell_device(fleet["contract"].id, fleet[name], date(2026, 11, 15), SALE, ACTOR)
    db.session.rollback()
    healthy, third = _refresh_of(fleet["healthy"]), _refresh_of(fleet["third"])
    assert (healthy.status, healthy.decided_by) == (RefreshStatus.CANCELLED, ACTOR)  # it was open
    assert (third.status, third.action) == (RefreshStatus.CANCELLED, RefreshAction.UPGRADE)  # approved
    assert _refresh_of(fleet["worn"]).status == RefreshStatus.OPEN  # not sold: untouched

    # No refresh order and no end-of-term return for a sold device, even within the contract's last days.
    report = use_cases.plan_refreshes(date(2028, 12, 1), 60, POLICY, 14, "planner")
    assert report.refresh_orders == []
    planned = db.session.scalars(select(ReturnOrder).where(ReturnOrder.id.in_(report.end_of_term_orders)))
    collected = {serial for order in planned for serial in returns.serials_of(order)}
    assert collected == {fleet["worn"], fleet["fourth"]}
    still_open = db.session.scalars(
        select(Device.serial)
        .join(RefreshOrder, RefreshOrder.device_id == Device.id)
        .where(RefreshOrder.status.in_((RefreshStatus.OPEN, RefreshStatus.APPROVED)))
    )
    assert set(still_open) == {fleet["worn"], fleet["fourth"]}  # opened by the first round


def test_the_sale_takes_the_device_off_the_pickups_waiting_for_it(fleet):
    """A return of the sold device alone is cancelled and its slot's place freed; from a return of several
    devices it is taken off and the others are still collected."""
    alone = _return(fleet, "healthy")
    shared = _return(fleet, "worn", "third")
    assert db.session.get(PickupSlot, fleet["slot"]).booked == 2
    for name in ("healthy", "worn"):
        use_cases.sell_device(fleet["contract"].id, fleet[name], date(2026, 11, 15), SALE, ACTOR)
    db.session.rollback()

    alone, shared = db.session.get(ReturnOrder, alone.id), db.session.get(ReturnOrder, shared.id)
    assert (alone.status, alone.slot_id) == (ReturnStatus.CANCELLED, None)
    assert returns.serials_of(alone) == [fleet["healthy"]]  # what it was for stays on record
    assert (shared.status, shared.slot_id) == (ReturnStatus.SCHEDULED, fleet["slot"])
    assert returns.serials_of(shared) == [fleet["third"]]
    assert db.session.get(PickupSlot, fleet["slot"]).booked == 1
    for name in ("healthy", "worn"):
        actions = [(e.action, e.to_status, e.occurred_on) for e in _events(fleet[name])[-3:]]
        assert actions == [
            ("schedule_return", "return_scheduled", date(2026, 11, 15)),
            ("cancel_return", "deployed", date(2026, 11, 15)),
            ("sell", "sold", date(2026, 11, 15)),
        ]
    reason = _events(fleet["worn"])[-2].reference
    assert reason == f"return order {shared.id}: device sold ({SALE})"

    # The pickup goes on with the device left on it.
    use_cases.record_pickup(shared.id, date(2026, 11, 15), ACTOR)
    assert _device(fleet["third"]).status == DeviceStatus.IN_TRANSIT
    assert _device(fleet["worn"]).status == DeviceStatus.SOLD


def test_an_approved_replacement_shipping_through_an_order_is_left_to_its_delivery(fleet):
    """The old device's refresh return is cancelled with the sale; the replacement's order goes on (the
    customer keeps both), and its delivery completes the refresh as before."""
    use_cases.plan_refresh_orders(date(2026, 11, 20), 60, POLICY)
    worn = _refresh_of(fleet["worn"])
    use_cases.approve_refresh(worn.id, RefreshAction.REPLACE, ACTOR, 14, fleet["model"].sku)
    back = db.session.scalar(select(ReturnOrder).where(ReturnOrder.refresh_order_id == worn.id))
    use_cases.sell_device(fleet["contract"].id, fleet["worn"], date(2026, 11, 15), SALE, ACTOR)
    db.session.rollback()
    assert db.session.get(ReturnOrder, back.id).status == ReturnStatus.CANCELLED
    worn = db.session.get(RefreshOrder, worn.id)
    assert (worn.status, worn.completes_on_delivery) == (RefreshStatus.APPROVED, True)
    replacement = db.session.scalar(select(Order).where(Order.refresh_order_id == worn.id))
    assert replacement.status == "approved"


def test_a_leaving_person_whose_last_device_is_sold_has_left(fleet):
    person = create_person(
        fleet["customer"].id,
        {
            "name": "Ada",
            "email": "ada@acme.example",
            "region": REGION,
            "address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"},
        },
    )
    device = factories.device(fleet["model"].sku, on=date(2024, 12, 1))
    deploy_device(fleet["contract"].id, device.serial, date(2026, 2, 1), ACTOR, person_id=person.id)
    outcome = people_use_cases.offboard_person(person.id, "return", None, None, ACTOR, None)
    (offboarding,) = outcome.return_orders
    assert person.status == PersonStatus.LEAVING
    use_cases.sell_device(fleet["contract"].id, device.serial, date(2026, 11, 15), SALE, ACTOR)
    db.session.rollback()
    assert db.session.get(ReturnOrder, offboarding.id).status == ReturnStatus.CANCELLED
    assert db.session.get(Person, person.id).status == PersonStatus.LEFT


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"contract": 0}, NotFound, None),  # no such contract
        ({"serial": "spare"}, NotFound, None),  # in stock, not deployed on the contract
        ({"serial": "elsewhere"}, NotFound, None),  # deployed on another contract
        ({"on": date(2025, 1, 14)}, Invalid, "on"),  # before the deployment
        ({"on": date(2026, 11, 16)}, Invalid, "on"),  # in the future
        ({"on": date(2026, 11, 14)}, Invalid, "on"),  # before the return was scheduled
        ({"reference": "  "}, Invalid, "reference"),
        ({"reference": "x" * 201}, Invalid, "reference"),
    ],
)
def test_a_refused_sale_changes_nothing(fleet, change, error, field):
    other = factories.contract(fleet["customer"].id, start_date=date(2025, 1, 1))
    fleet["elsewhere"] = factories.device(fleet["model"].sku, on=date(2024, 12, 1)).serial
    deploy_device(other.id, fleet["elsewhere"], date(2025, 2, 1), ACTOR)
    order = _return(fleet, "healthy", "worn")
    db.session.commit()
    events = db.session.scalar(select(func.count(CustodyEvent.id)))

    serial = fleet[change.get("serial", "healthy")]
    contract_id = change.get("contract", fleet["contract"].id)
    with pytest.raises(error) as refused:
        use_cases.sell_device(
            contract_id, serial, change.get("on", date(2026, 11, 15)), change.get("reference", SALE), ACTOR
        )
    if field is not None:
        assert field in refused.value.errors
    assert db.session.scalar(select(func.count(CustodyEvent.id))) == events
    assert _device(fleet["healthy"]).status == DeviceStatus.RETURN_SCHEDULED
    assert _deployment(fleet["healthy"]).end_date is None
    order = db.session.get(ReturnOrder, order.id)
    assert (order.status, returns.serials_of(order)) == (
        ReturnStatus.SCHEDULED,
        [fleet["healthy"], fleet["worn"]],
    )
    assert db.session.scalar(select(func.count(ReturnOrderDevice.id))) == 2
