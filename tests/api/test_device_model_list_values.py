"""A device model's list values per currency and its buy-out floor share (billing.md "One-off charges")
through the API: shown with each currency's decimals and the floor share in force (0.1 when the model has
none); a PATCH replaces the list values; a currency daas does not bill in, an amount of 0 or with more
decimals than its currency has, and a share outside 0..1 are 422s naming the field, changing nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from daas.catalog.models import DeviceModelListValue
from daas.extensions import db
from tests.factories import LAPTOP_BODY as LAPTOP
from tests.helpers import assert_error, bearer

MODELS = "/api/v1/device-models"


def _create(client, tokens, **values):
    response = client.post(MODELS, json={**LAPTOP, **values}, headers=bearer(tokens["admin"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_list_values_and_the_floor_share_are_shown_with_their_decimals(client, tokens):
    body = _create(client, tokens, list_values={"EUR": "1250", "JPY": "180000"}, floor_share="0.15")
    assert (body["list_values"], body["floor_share"]) == ({"EUR": "1250.00", "JPY": "180000"}, "0.15")
    shown = client.get(f"{MODELS}/{body['id']}", headers=bearer(tokens["logistics"])).get_json()
    assert (shown["list_values"], shown["floor_share"]) == ({"EUR": "1250.00", "JPY": "180000"}, "0.15")


def test_a_model_without_a_floor_share_shows_the_default(client, tokens):
    body = _create(client, tokens)
    assert (body["list_values"], body["floor_share"]) == ({}, "0.1")


def test_a_patch_replaces_the_list_values_and_a_null_share_is_the_default_again(client, tokens):
    created = _create(client, tokens, list_values={"EUR": "1250.00", "USD": "1400.00"}, floor_share="0.2")
    admin = bearer(tokens["admin"])
    patched = client.patch(
        f"{MODELS}/{created['id']}",
        json={"list_values": {"GBP": "1100.50"}, "floor_share": None},
        headers=admin,
    )
    assert patched.status_code == 200, patched.get_json()
    assert (patched.get_json()["list_values"], patched.get_json()["floor_share"]) == (
        {"GBP": "1100.50"},
        "0.1",
    )
    # Figures alone leave the list values as they are.
    again = client.patch(f"{MODELS}/{created['id']}", json={"expected_lifetime_months": 60}, headers=admin)
    assert again.get_json()["list_values"] == {"GBP": "1100.50"}
    rows = db.session.scalars(
        select(DeviceModelListValue).where(DeviceModelListValue.device_model_id == created["id"])
    ).all()
    assert [(row.currency, row.amount) for row in rows] == [("GBP", Decimal("1100.50"))]


def test_a_list_value_breaking_its_currency_rules_is_a_422_naming_it(client, tokens):
    admin = bearer(tokens["admin"])
    for values in ({"EUR": "0"}, {"EUR": "12.345"}, {"EUR": "-1.00"}, {"EUR": 1250}):
        body = assert_error(
            client.post(MODELS, json={**LAPTOP, "list_values": values}, headers=admin), 422, "list_values"
        )
        assert "EUR" in body["errors"]["list_values"], body
    body = assert_error(
        client.post(MODELS, json={**LAPTOP, "list_values": {"JPY": "1200.50"}}, headers=admin),
        422,
        "list_values",
    )
    assert body["errors"]["list_values"] == {"JPY": ["JPY amounts have 0 decimals."]}
    body = assert_error(
        client.post(MODELS, json={**LAPTOP, "list_values": {"XYZ": "10.00"}}, headers=admin),
        422,
        "list_values",
    )
    assert "XYZ" in body["errors"]["list_values"], body
    assert client.get(MODELS, headers=admin).get_json() == []  # nothing was stored


def test_a_floor_share_outside_0_to_1_is_a_422_and_the_model_keeps_its_own(client, tokens):
    created = _create(client, tokens, list_values={"EUR": "999.00"}, floor_share="0.3")
    admin = bearer(tokens["admin"])
    for share in ("1.5", "-0.1", "0.12345", 0.2):
        assert_error(
            client.patch(f"{MODELS}/{created['id']}", json={"floor_share": share}, headers=admin),
            422,
            "floor_share",
        )
    bad_value = client.patch(
        f"{MODELS}/{created['id']}", json={"list_values": {"EUR": "0.00"}, "name": "Renamed"}, headers=admin
    )
    assert_error(bad_value, 422, "list_values")
    shown = client.get(f"{MODELS}/{created['id']}", headers=admin).get_json()
    assert (shown["floor_share"], shown["list_values"], shown["name"]) == (
        "0.3",
        {"EUR": "999.00"},
        LAPTOP["name"],
    )
