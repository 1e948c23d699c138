"""The device page offers exactly what the takeback services accept: for every state a device is handled
in, every wipe method and every grade, each action the page offers is done when posted, each disposition it
does not offer is refused, and a device wiped with `clear` and graded D is wiped again and recycled."""

from __future__ import annotations

import itertools
import re
from datetime import date
from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from daas.charges.models import OneOffCharge
from daas.contracts.services import deploy_device, end_deployment
from daas.devices.lifecycle import DISPOSITIONS, GRADES, WIPE_METHODS, next_status
from daas.devices.models import Device, WipeCertificate
from daas.extensions import db
from daas.logistics import returns, slots, takeback
from daas.settings import current_settings
from tests import factories
from tests.web.helpers import post_form, signed_in

REGION = "DE-BE"
WIPE = {
    "standard": "NIST SP 800-88 Rev. 1",
    "tool": "Blancco Drive Eraser",
    "verification": "full",
    "verified_by": "K. Braun",
}
# The forms of the device page and the lifecycle actions they do; the others (return, pickup, hand back,
# upgrade) are steps of return orders, contracts and refresh orders, on their own pages.
FORM_ACTIONS = {"grade": "grade", "restock": "restock", "deploy": "deploy", "lost": "lose"}
PAGE_ACTIONS = {"wipe", "wipe_again", *FORM_ACTIONS.values(), *DISPOSITIONS}


@pytest.fixture
def bench(app, database, today):
    model = factories.device_model(sku=factories.unique("LAT"))
    plan = factories.plan()
    contract = factories.contract(factories.customer(pickup_region=REGION).id, plan.code, date(2026, 1, 1))
    spare = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    slots.create_slot(REGION, today, 500)
    db.session.commit()
    client, _ = signed_in(app, "logistics")
    return SimpleNamespace(client=client, model=model, contract=contract, spare=spare, today=today)


def device_in(bench: Any, status: str, method: str | None = None, grade: str | None = None) -> str:
    """A new device brought to `status` through the services (wiped with `method`, graded `grade`)."""
    serial = factories.device(bench.model.sku).serial
    if status != "in_stock":
        deploy_device(bench.contract.id, serial, date(2026, 2, 1), "tests")
    if status == "in_transit":
        order = returns.create_return_order(
            bench.contract.id, [serial], "defect", bench.today, REGION, "Friedrichstr. 1", "tests", 14
        )
        returns.pick_up_return_order(order.id, bench.today, "tests")
    elif status not in ("in_stock", "deployed"):
        end_deployment(bench.contract.id, serial, date(2026, 11, 10), "tests")
    if status in ("wiped", "graded", "refurbishing"):
        takeback.wipe_device(serial, {**WIPE, "method": method or "purge", "on": date(2026, 11, 11)}, "t")
    if status in ("graded", "refurbishing"):
        takeback.grade_device(
            serial, grade or "B", "tests", on=date(2026, 11, 12), policy=current_settings().end_of_term
        )
    if status == "refurbishing":
        takeback.dispose_device(serial, "refurbish", "tests", on=date(2026, 11, 12))
    db.session.commit()
    return serial


def page_of(bench: Any, serial: str) -> str:
    response = bench.client.get(f"/logistics/devices/{serial}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def options_of(page: str, select_id: str) -> list[str]:
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r'<option[^>]*value="([^"]*)"', found.group(1)) if found else []


def offered(bench: Any, serial: str) -> dict[str, str | None]:
    """The lifecycle actions the device page offers, each with the value its form would send."""
    page, status = page_of(bench, serial), db.session.scalar(select(Device.status).filter_by(serial=serial))
    actions: dict[str, str | None] = {}
    for form in re.findall(rf'action="/logistics/devices/{re.escape(serial)}/(\w+)"', page):
        if form == "wipe":
            actions["wipe_again" if status == "graded" else "wipe"] = options_of(page, "method")[0]
        elif form == "disposition":
            actions.update(dict.fromkeys(options_of(page, "disposition")))
        else:
            actions[FORM_ACTIONS[form]] = None
    return actions


def post_action(bench: Any, serial: str, action: str, value: str | None) -> Any:
    url = f"/logistics/devices/{serial}"
    if action in ("wipe", "wipe_again"):
        return post_form(bench.client, f"{url}/wipe", {**WIPE, "method": value}, form_page=url)
    if action == "grade":
        return post_form(bench.client, f"{url}/grade", {"grade": "C"}, form_page=url)
    if action in DISPOSITIONS:
        parts = "battery, 0.3" if action == "harvest" else ""
        data = {"disposition": action, "harvested_parts": parts}
        return post_form(bench.client, f"{url}/disposition", data, form_page=url)
    if action == "deploy":
        data = {"contract_id": bench.spare.id, "start_date": bench.today.isoformat()}
        return post_form(bench.client, f"{url}/deploy", data, form_page=url)
    form = {"restock": "restock", "lose": "lost"}[action]
    return post_form(bench.client, f"{url}/{form}", {}, form_page=url)


def status_of(serial: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Device.status).filter_by(serial=serial))


CONDITIONS = [
    ("in_stock", None, None),
    ("deployed", None, None),
    ("in_transit", None, None),
    ("received", None, None),
    *[("wiped", method, None) for method in WIPE_METHODS],
    *[("graded", method, grade) for method, grade in itertools.product(WIPE_METHODS, GRADES)],
    ("refurbishing", "purge", "B"),
]


@pytest.mark.parametrize(("status", "method", "grade"), CONDITIONS)
def test_every_action_the_device_page_offers_is_accepted_and_what_it_does_not_offer_is_refused(
    bench, status: str, method: str | None, grade: str | None
) -> None:
    serial = device_in(bench, status, method, grade)
    actions = offered(bench, serial)
    assert actions, f"a {status} device ({method}, {grade}) is offered nothing"
    device = db.session.scalar(select(Device).filter_by(serial=serial))
    assert set(actions) == set(takeback.available_actions(device)) & PAGE_ACTIONS
    for action, value in actions.items():
        fresh = device_in(bench, status, method, grade)
        done = post_action(bench, fresh, action, value)
        assert done.status_code == 302, (action, unescape(done.get_data(as_text=True))[-3000:])
        assert done.headers["Location"] == f"/logistics/devices/{fresh}"
        assert status_of(fresh) == next_status(status, action)
    if status == "graded":
        for disposition in set(DISPOSITIONS) - set(actions):
            refused = post_action(bench, serial, disposition, None)
            assert refused.status_code == 422
            assert status_of(serial) == "graded"


def test_a_clear_wiped_grade_d_device_is_wiped_again_with_purge_and_recycled(bench) -> None:
    client, serial = bench.client, device_in(bench, "graded", "clear", "D")
    url = f"/logistics/devices/{serial}"
    page = page_of(bench, serial)
    assert "Wipe again (purge)" in page
    assert options_of(page, "method") == ["purge", "destroy"]
    assert options_of(page, "disposition") == ["refurbish", "harvest"]  # neither redeploy nor recycle
    assert "Not possible now" in page and "grade D device is parts only" in page
    assert "the wipe must be purge or destroy" in page

    weaker = post_form(client, f"{url}/wipe", {**WIPE, "method": "clear"}, form_page=url)
    assert weaker.status_code == 422
    assert "must be stronger than the clear wipe on record: purge or destroy" in unescape(
        weaker.get_data(as_text=True)
    )
    again = post_form(client, f"{url}/wipe", {**WIPE, "method": "purge"}, form_page=url)
    assert again.status_code == 302 and again.headers["Location"] == url
    page = page_of(bench, serial)
    assert "wipe recorded" in page and "it is now graded" in page
    assert options_of(page, "disposition") == ["refurbish", "harvest", "recycle"]
    assert "Wipe again" not in page

    recycled = post_form(client, f"{url}/disposition", {"disposition": "recycle"}, form_page=url)
    assert recycled.status_code == 302
    assert status_of(serial) == "recycled"
    methods = db.session.scalars(
        select(WipeCertificate.method)
        .join(Device, Device.id == WipeCertificate.device_id)
        .where(Device.serial == serial)
        .order_by(WipeCertificate.id)
    ).all()
    assert methods == ["clear", "purge"]
    page = page_of(bench, serial)
    assert "<td>wipe again</td>" in page and "Nothing to do here for a device that is recycled" in page


def test_after_an_action_the_serial_box_of_the_device_page_has_the_focus(bench) -> None:
    serial = device_in(bench, "received")
    url = f"/logistics/devices/{serial}"
    assert not re.search(r'<input[^>]*autofocus[^>]*name="serial"', page_of(bench, serial))
    post_form(bench.client, f"{url}/wipe", {**WIPE, "method": "purge"}, form_page=url)
    assert re.search(r'<input[^>]*autofocus[^>]*name="serial"', page_of(bench, serial))


def test_grading_with_notes_says_when_it_proposed_a_damage_charge(bench) -> None:
    client = bench.client
    damaged, worn = device_in(bench, "wiped"), device_in(bench, "wiped")  # in stock since 2025-12-01
    url = f"/logistics/devices/{damaged}"
    assert 'name="notes"' in page_of(bench, damaged)
    too_long = post_form(client, f"{url}/grade", {"grade": "D", "notes": "x" * 501}, form_page=url)
    assert too_long.status_code == 422 and status_of(damaged) == "wiped"
    done = post_form(client, f"{url}/grade", {"grade": "D", "notes": "cracked screen"}, form_page=url)
    assert done.status_code == 302
    page = page_of(bench, damaged)
    assert f"Device {damaged}: graded D; it is now graded." in page
    assert "Damage charge of 250.00 EUR proposed to finance." in page
    charge = db.session.scalar(select(OneOffCharge).where(OneOffCharge.contract_id == bench.contract.id))
    assert (charge.status, charge.description) == ("proposed", f"Damage: {damaged} graded D: cracked screen")

    url = f"/logistics/devices/{worn}"
    post_form(client, f"{url}/grade", {"grade": "B"}, form_page=url)
    page = page_of(bench, worn)
    assert f"Device {worn}: graded B" in page and "Damage charge" not in page
