"""/impact/grid-factor-sets: every role reads the versions; an admin replaces the table with a new version,
which is then what reports use; bad input is a 422 naming the field, with nothing stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from daas.impact.grid_factor_sets import latest_grid_factors, list_grid_factor_sets
from tests import factories
from tests.helpers import assert_error, bearer

URL = "/api/v1/impact/grid-factor-sets"
GERMANY = {"2024": {"kg_per_kwh": "0.33638", "source": "Ember via OWID", "source_version": "2025 release"}}


@pytest.fixture
def admin(database):
    return bearer(factories.token("admin"))


def test_every_role_reads_the_versions_and_version_1_with_its_factors(client, database):
    customer = bearer(factories.token("customer", factories.customer().id))
    [first] = client.get(URL, headers=customer).get_json()
    assert (first["version"], first["created_by"], first["years"]) == (
        1,
        "migration 0020",
        [2021, 2022, 2023, 2024],
    )
    assert len(first["countries"]) == 31 and {"DE", "GB", "NO", "CH", "US"} <= set(first["countries"])
    one = client.get(f"{URL}/1", headers=customer).get_json()
    assert one["factors"]["DE"]["2023"]["kg_per_kwh"] == "0.36292"
    assert "Ember" in one["factors"]["DE"]["2023"]["source"]
    assert_error(client.get(f"{URL}/9", headers=customer), 404)


def test_an_admin_posts_a_new_version_that_reports_then_use(client, admin):
    created = client.post(URL, json={"factors": {"DE": GERMANY}, "note": "2024 only"}, headers=admin)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["version"], body["note"], body["countries"], body["factors"]["DE"]) == (
        2,
        "2024 only",
        ["DE"],
        GERMANY,
    )
    table = latest_grid_factors()
    assert table.version == 2
    assert table.factor_for("DE", 2025).kg_per_kwh == Decimal("0.33638")
    assert [s["version"] for s in client.get(URL, headers=admin).get_json()] == [1, 2]


@pytest.mark.parametrize(
    ("factors", "field"),
    [
        ({"DE": {"2024": {**GERMANY["2024"], "kg_per_kwh": "2.01"}}}, "factors.DE.2024.kg_per_kwh"),
        ({"DE": {"2024": {**GERMANY["2024"], "source": ""}}}, "factors.DE.2024.source"),
        ({"DE": {"2024": {"kg_per_kwh": "0.3", "source": "E"}}}, "factors.DE.2024.source_version"),
        ({"Germany": GERMANY}, "factors.Germany"),
        ({"DE": {"1900": GERMANY["2024"]}}, "factors.DE.1900"),
        ({}, "factors"),
        ("DE", "factors"),
    ],
)
def test_bad_factors_are_a_422_naming_the_field_and_store_nothing(client, admin, factors, field):
    assert_error(client.post(URL, json={"factors": factors}, headers=admin), 422, field)
    assert [s.version for s in list_grid_factor_sets()] == [1]


def test_only_an_admin_creates_a_version(client, database):
    for role, customer_id in (("customer", factories.customer().id), ("finance", None), ("logistics", None)):
        refused = client.post(
            URL, json={"factors": {"DE": GERMANY}}, headers=bearer(factories.token(role, customer_id))
        )
        assert_error(refused, 403)
    assert [s.version for s in list_grid_factor_sets()] == [1]


def test_the_same_idempotency_key_creates_one_version(client, admin):
    headers = {**admin, "Idempotency-Key": "grid-2025"}
    first = client.post(URL, json={"factors": {"DE": GERMANY}}, headers=headers)
    again = client.post(URL, json={"factors": {"DE": GERMANY}}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert [s.version for s in list_grid_factor_sets()] == [1, 2]
