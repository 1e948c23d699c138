"""The takeback rules through the API: a device wiped with `clear` and graded D is wiped again with a
stronger method (not a weaker or equal one) and recycled; it is never redeployed as it is; the device
shows the actions allowed now, and every refusal names the field at fault."""

from __future__ import annotations

from datetime import date

import pytest

from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from tests import factories
from tests.helpers import assert_error, bearer

WIPE = {"standard": "NIST SP 800-88 Rev. 1", "tool": "Blancco Drive Eraser", "verified_by": "Inge Visser"}


@pytest.fixture
def graded_d(database, today):
    """A laptop handed back, wiped with clear and graded D; and a logistics token."""
    contract = factories.contract()
    serial = factories.device().serial
    deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
    end_deployment(contract.id, serial, date(2026, 11, 10), "tests")
    db.session.commit()
    headers = bearer(factories.token("logistics"))
    return serial, headers


def _post(client, serial, step, body, headers):
    return client.post(f"/api/v1/devices/{serial}/{step}", json=body, headers=headers)


def test_a_clear_wiped_grade_d_device_is_wiped_again_and_recycled(client, graded_d) -> None:
    serial, headers = graded_d
    assert _post(client, serial, "wipe", {**WIPE, "method": "clear"}, headers).status_code == 201
    body = assert_error(_post(client, serial, "wipe", {**WIPE, "method": "purge"}, headers), 409, "status")
    assert body["message"] == "A device that is wiped cannot wipe; allowed: grade."  # grade it first
    device = _post(client, serial, "grade", {"grade": "D"}, headers).get_json()
    assert sorted(device["allowed_actions"]) == ["harvest", "refurbish", "wipe_again"]

    body = assert_error(
        _post(client, serial, "disposition", {"disposition": "recycle"}, headers), 409, "wipe"
    )
    assert "the wipe must be purge or destroy" in body["message"] and "clear" in body["message"]
    body = assert_error(
        _post(client, serial, "disposition", {"disposition": "redeploy"}, headers), 409, "grade"
    )
    assert "grade D device is parts only" in body["message"]
    body = assert_error(_post(client, serial, "wipe", {**WIPE, "method": "clear"}, headers), 409, "method")
    assert "must be stronger than the clear wipe on record: purge or destroy" in body["message"]

    again = _post(client, serial, "wipe", {**WIPE, "method": "purge"}, headers)
    assert again.status_code == 201 and again.get_json()["method"] == "purge"
    device = client.get(f"/api/v1/devices/{serial}", headers=headers).get_json()
    assert device["status"] == "graded"
    assert sorted(device["allowed_actions"]) == ["harvest", "recycle", "refurbish"]
    assert [e["action"] for e in device["events"]][-3:] == ["wipe", "grade", "wipe_again"]
    body = assert_error(_post(client, serial, "wipe", {**WIPE, "method": "destroy"}, headers), 409, "wipe")
    assert "enough for every disposition" in body["message"]

    recycled = _post(client, serial, "disposition", {"disposition": "recycle"}, headers)
    assert recycled.status_code == 200 and recycled.get_json()["status"] == "recycled"
    assert recycled.get_json()["allowed_actions"] == []
