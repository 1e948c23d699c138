"""Grading a device back from a contract proposes its damage charge on that contract (billing.md "One-off
charges"): the fee of its category, grade and the contract's currency (DAAS_DAMAGE_FEES), under fair wear:
A and B never pay, C only before half the model's expected life on the grading day, D always. Its age runs
from the day it was made, else from the day it came into stock. The charge is proposed, for finance, with
the grader's notes; the same grading proposes it once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from daas.charges.models import OneOffCharge
from daas.contracts.end_of_term_rules import EndOfTermPolicy
from daas.contracts.services import deploy_device, end_deployment
from daas.core import clock
from daas.core.errors import Invalid
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics import takeback
from daas.settings import current_settings
from daas.usecases import logistics as use_cases
from tests import factories
from tests.helpers import assert_error, bearer

D = Decimal
GRADED_ON = date(2026, 11, 14)
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "K. Braun"}


@pytest.fixture
def bench(database) -> dict[str, Any]:
    with clock.frozen(date(2026, 1, 1)):
        laptop = factories.device_model(category="laptop", expected_lifetime_months=48)
        monitor = factories.device_model(category="monitor", expected_lifetime_months=72)
        eur = factories.contract(plan_code=factories.plan().code, start_date=date(2026, 1, 1))
        usd = factories.contract(
            factories.customer(currency="USD").id,
            factories.plan(currency="USD").code,
            date(2026, 1, 1),
        )
    return {"laptop": laptop, "monitor": monitor, "eur": eur, "usd": usd}


def back_for_grading(
    model: Any, contract: Any, manufactured_on: date | None, taken_in: date = date(2025, 12, 1)
) -> str:
    """A device of `model` that served `contract` from 2026-02-01, handed back and wiped (committed)."""
    with clock.frozen(GRADED_ON):
        serial = factories.device(model.sku, on=taken_in, manufactured_on=manufactured_on).serial
        deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
        end_deployment(contract.id, serial, date(2026, 11, 10), "tests")
        takeback.wipe_device(serial, {**WIPE, "on": date(2026, 11, 12)}, "tests")
    db.session.commit()  # what a refused grading rolls back is its own work only
    return serial


def grade(serial: str, grade: str, notes: str | None = None, policy: EndOfTermPolicy | None = None) -> Any:
    with clock.frozen(GRADED_ON):
        return use_cases.grade_device(
            serial,
            grade,
            "logistics@daas.example",
            policy=policy or current_settings().end_of_term,
            notes=notes,
        )


def charges_of(contract: Any) -> list[tuple[str, str, Decimal, str, date]]:
    return [
        (c.kind, c.status, c.amount, c.description, c.charge_on)
        for c in db.session.scalars(
            select(OneOffCharge).where(OneOffCharge.contract_id == contract.id).order_by(OneOffCharge.id)
        )
    ]


@pytest.mark.parametrize(
    ("letter", "manufactured_on", "fee"),
    [
        ("A", date(2025, 11, 1), None),
        ("B", date(2025, 11, 1), None),
        # 48 months from 2024-11-15 are 1461 days; on 2026-11-14 it is 729 days old: before half its life.
        ("C", date(2024, 11, 15), D("90.00")),
        # From 2024-11-13: 731 days old, past half of its 1461: fair wear.
        ("C", date(2024, 11, 13), None),
        ("D", date(2020, 1, 1), D("250.00")),  # past its whole life: D pays all the same
    ],
)
def test_fair_wear_decides_what_a_laptop_pays(bench, letter, manufactured_on, fee):
    serial = back_for_grading(bench["laptop"], bench["eur"], manufactured_on)
    graded = grade(serial, letter, "as found")
    expected = (
        [("damage", "proposed", fee, f"Damage: {serial} graded {letter}: as found", GRADED_ON)] if fee else []
    )
    assert charges_of(bench["eur"]) == expected
    assert (graded.damage_charge.amount if graded.damage_charge else None) == fee
    db.session.rollback()  # the use case committed it
    assert charges_of(bench["eur"]) == expected


def test_each_category_and_currency_has_its_own_fees(bench):
    monitor = back_for_grading(bench["monitor"], bench["eur"], date(2025, 6, 1))
    assert grade(monitor, "D").damage_charge.amount == D("120.00")
    assert charges_of(bench["eur"])[0][3] == f"Damage: {monitor} graded D"  # no notes, no colon
    dollars = back_for_grading(bench["laptop"], bench["usd"], date(2025, 6, 1))
    assert grade(dollars, "D").damage_charge is None  # no fees in USD
    assert charges_of(bench["usd"]) == []
    fees = EndOfTermPolicy(damage_fees={("USD", "laptop"): {"D": D("275.00")}})
    again = back_for_grading(bench["laptop"], bench["usd"], date(2025, 6, 1))
    assert grade(again, "D", policy=fees).damage_charge.amount == D("275.00")


def test_without_a_day_of_manufacture_the_age_runs_from_the_day_it_came_into_stock(bench):
    young = back_for_grading(bench["laptop"], bench["eur"], None, taken_in=date(2025, 12, 1))
    old = back_for_grading(bench["laptop"], bench["eur"], None, taken_in=date(2024, 1, 2))
    assert grade(young, "C").damage_charge.amount == D("90.00")
    assert grade(old, "C").damage_charge is None  # 1047 days of 1461: past half its life


def test_the_charge_goes_to_the_contract_the_device_came_back_from(bench):
    serial = back_for_grading(bench["laptop"], bench["eur"], date(2025, 6, 1))
    with clock.frozen(GRADED_ON):
        policy = current_settings().end_of_term
        takeback.grade_device(serial, "A", "tests", on=date(2026, 11, 12), policy=policy)
        takeback.dispose_device(serial, "redeploy", "tests", on=date(2026, 11, 12))
        later = factories.contract(plan_code=factories.plan().code, start_date=date(2026, 1, 1))
        deploy_device(later.id, serial, date(2026, 11, 12), "tests")
        end_deployment(later.id, serial, date(2026, 11, 13), "tests")
        takeback.wipe_device(serial, {**WIPE, "on": date(2026, 11, 13)}, "tests")
    graded = grade(serial, "D", "dropped")
    assert (graded.damage_charge.contract_id, charges_of(bench["eur"])) == (later.id, [])


def test_the_charge_is_keyed_by_the_grading_and_names_the_device(bench):
    serial = back_for_grading(bench["laptop"], bench["eur"], date(2025, 6, 1))
    charge = grade(serial, "D", "cracked screen").damage_charge
    event = db.session.scalar(
        select(CustodyEvent)
        .join(Device)
        .where(Device.serial == serial)
        .order_by(CustodyEvent.seq.desc())
        .limit(1)
    )
    device_id = db.session.scalar(select(Device.id).where(Device.serial == serial))
    assert (event.action, event.note) == ("grade", "cracked screen")
    assert (charge.idempotency_key, charge.device.serial, charge.created_by) == (
        f"damage-{device_id}-{event.id}",
        serial,
        "logistics@daas.example",
    )


def test_notes_longer_than_500_characters_are_refused_and_nothing_is_graded(bench, client):
    serial = back_for_grading(bench["laptop"], bench["eur"], date(2025, 6, 1))
    with pytest.raises(Invalid, match="At most 500"):
        grade(serial, "D", "x" * 501)
    token = bearer(factories.token("logistics"))
    with clock.frozen(GRADED_ON):
        response = client.post(
            f"/api/v1/devices/{serial}/grade", json={"grade": "D", "notes": "x" * 501}, headers=token
        )
    assert_error(response, 422, "notes")
    assert db.session.scalar(select(Device.status).where(Device.serial == serial)) == "wiped"
    assert charges_of(bench["eur"]) == []
