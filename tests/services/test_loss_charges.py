"""A device lost from a contract costs its buy-out price at grade A, proposed on that contract for
finance: lost with the customer or on its way back; never a device lost on its way out, nor one whose
model has no list value in the contract's currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from daas.charges.models import OneOffCharge
from daas.contracts.services import deploy_device, end_deployment
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases import logistics as use_cases
from tests import factories

ACTOR = "tests"


def _laptop(sku_values: dict | None = None, serial: str = "LOST-1"):
    model = factories.device_model(**(sku_values or {"list_values": {"EUR": Decimal("1250.00")}}))
    return factories.device(model.sku, serial, on=date(2024, 11, 1), manufactured_on=date(2024, 11, 1))


def test_a_laptop_lost_by_its_customer_proposes_its_grade_a_buy_out_price(database, today):
    device = _laptop()
    contract = factories.contract(start_date=date(2025, 1, 1))
    deploy_device(contract.id, device.serial, date(2025, 1, 1), ACTOR)
    use_cases.lose_device(
        device.serial, ACTOR, date(2026, 11, 1), "stolen", policy=current_settings().end_of_term
    )
    charge = db.session.scalars(select(OneOffCharge)).one()
    # 24 whole months of 48: 1250.00 × (1 − 24/48) = 625.00, grade A (factor 1).
    assert (charge.contract_id, charge.kind, charge.status, charge.amount) == (
        contract.id,
        "loss",
        "proposed",
        Decimal("625.00"),
    )
    assert charge.description == "Loss: LOST-1 (Latitude 5430), lost on 2026-11-01"


def test_a_device_lost_on_its_way_back_is_charged_to_the_contract_it_left(database, today):
    device = _laptop()
    contract = factories.contract(start_date=date(2025, 1, 1))
    deployment = deploy_device(contract.id, device.serial, date(2025, 1, 1), ACTOR)
    # Collected on 2026-10-01, as a pickup does: the deployment ends, the device is on the carrier's van.
    locked = lock_device(device.serial, field_name=None)
    transition_device(locked, "schedule_return", date(2026, 9, 20), ACTOR, contract_id=contract.id)
    transition_device(locked, "pick_up", date(2026, 10, 1), ACTOR, contract_id=contract.id)
    deployment.end_date = date(2026, 10, 1)
    db.session.flush()
    use_cases.lose_device(device.serial, ACTOR, date(2026, 10, 2), policy=current_settings().end_of_term)
    charge = db.session.scalars(select(OneOffCharge)).one()
    assert (charge.contract_id, charge.amount) == (contract.id, Decimal("651.04"))  # 23 months: 1250 × 25/48


def test_no_loss_charge_on_the_way_out_nor_without_a_list_value(database, today):
    outbound = _laptop(serial="LOST-OUT")
    earlier = factories.contract(start_date=date(2025, 1, 1))
    deploy_device(earlier.id, outbound.serial, date(2025, 1, 1), ACTOR)
    end_deployment(earlier.id, outbound.serial, date(2025, 6, 1), ACTOR)
    # Back, refurbished, and shipped to a new customer: lost by the carrier before delivery.
    locked = lock_device(outbound.serial, field_name=None)
    for action in ("wipe", "grade", "redeploy", "allocate", "ship"):
        transition_device(locked, action, date(2025, 6, 2), ACTOR)
    db.session.flush()
    use_cases.lose_device(outbound.serial, ACTOR, policy=current_settings().end_of_term)
    unpriced = _laptop({"list_values": {}}, serial="LOST-NOPRICE")
    contract = factories.contract(start_date=date(2025, 1, 1))
    deploy_device(contract.id, unpriced.serial, date(2025, 1, 1), ACTOR)
    use_cases.lose_device(unpriced.serial, ACTOR, policy=current_settings().end_of_term)
    assert db.session.scalars(select(OneOffCharge)).all() == []
