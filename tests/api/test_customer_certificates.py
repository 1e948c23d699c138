"""A customer opens the wipe certificate of a device that came back from one of its contracts, even once
the device serves another customer; it never sees the certificate of a life spent with someone else."""

from __future__ import annotations

from datetime import date

import pytest

from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from daas.logistics import takeback
from daas.settings import current_settings
from tests import factories
from tests.helpers import bearer

WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "Inge Visser"}


@pytest.fixture
def two_lives(database, today):
    """A laptop served customer A (life 1), came back, was wiped and redeployed to customer B (life 2),
    came back again and was wiped: one certificate per life."""
    plan = factories.plan()
    first = factories.contract(factories.customer(name="Alpha").id, plan.code, date(2026, 1, 1))
    second = factories.contract(factories.customer(name="Beta").id, plan.code, date(2026, 1, 1))
    serial = factories.device().serial
    deploy_device(first.id, serial, date(2026, 2, 1), "tests")
    end_deployment(first.id, serial, date(2026, 6, 1), "tests")
    alpha = takeback.wipe_device(serial, {**WIPE, "on": date(2026, 6, 2)}, "tests")
    takeback.grade_device(serial, "A", "tests", on=date(2026, 6, 2), policy=current_settings().end_of_term)
    takeback.dispose_device(serial, "redeploy", "tests", on=date(2026, 6, 3))
    deploy_device(second.id, serial, date(2026, 6, 10), "tests")
    end_deployment(second.id, serial, date(2026, 11, 1), "tests")
    beta = takeback.wipe_device(serial, {**WIPE, "on": date(2026, 11, 2)}, "tests")
    db.session.commit()
    return {
        "serial": serial,
        "alpha": (bearer(factories.token("customer", first.customer_id)), alpha.id),
        "beta": (bearer(factories.token("customer", second.customer_id)), beta.id),
        "stranger": bearer(factories.token("customer", factories.customer().id)),
        "logistics": bearer(factories.token("logistics")),
    }


def _pdf(client, serial, certificate_id, headers):
    return client.get(f"/api/v1/devices/{serial}/wipe-certificates/{certificate_id}.pdf", headers=headers)


def test_each_customer_opens_the_certificate_of_the_life_spent_with_it(client, two_lives) -> None:
    serial = two_lives["serial"]
    (alpha, alpha_id), (beta, beta_id) = two_lives["alpha"], two_lives["beta"]
    opened = _pdf(client, serial, alpha_id, alpha)
    assert opened.status_code == 200 and opened.data.startswith(b"%PDF")
    assert _pdf(client, serial, beta_id, beta).status_code == 200
    assert _pdf(client, serial, beta_id, alpha).status_code == 404  # the life spent with Beta
    assert _pdf(client, serial, alpha_id, beta).status_code == 404  # the life spent with Alpha
    listed = client.get(f"/api/v1/devices/{serial}/wipe-certificates", headers=alpha)
    assert listed.status_code == 200
    assert [(c["id"], c["life"], c["method"]) for c in listed.get_json()] == [(alpha_id, 1, "purge")]
    staff = client.get(f"/api/v1/devices/{serial}/wipe-certificates", headers=two_lives["logistics"])
    assert [c["id"] for c in staff.get_json()] == [beta_id, alpha_id]


def test_a_customer_that_never_had_the_device_finds_nothing(client, two_lives) -> None:
    serial, stranger = two_lives["serial"], two_lives["stranger"]
    _, alpha_id = two_lives["alpha"]
    missing = _pdf(client, serial, alpha_id, stranger)
    assert missing.status_code == 404
    assert missing.get_json()["message"] == f"No wipe certificate {alpha_id} for device {serial}."
    unknown = _pdf(client, "NO-SUCH-SERIAL", alpha_id, stranger)
    assert unknown.get_json()["message"] == f"No wipe certificate {alpha_id} for device NO-SUCH-SERIAL."
    assert client.get(f"/api/v1/devices/{serial}/wipe-certificates", headers=stranger).status_code == 404
