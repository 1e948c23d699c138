"""Every error has the one JSON shape of api.md, with the field at fault; nothing leaks a stack trace."""

from __future__ import annotations

import pytest
from flask import Flask

from daas.api.errors import register_error_handlers
from tests import factories
from tests.helpers import assert_error, bearer

CUSTOMER = {
    "name": "Acme",
    "country": "NL",
    "currency": "EUR",
    "billing_email": "ap@acme.example",
    "billing_address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam"},
}


def test_missing_token_is_401_with_a_challenge(client):
    response = client.get("/api/v1/customers")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(client):
    assert_error(client.get("/api/v1/customers", headers=bearer("daas_not-a-real-token")), 401)
    assert_error(client.get("/api/v1/customers", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_revoked_token_stops_working(client, tokens):
    me = client.get("/api/v1/me", headers=bearer(tokens["admin"])).get_json()
    user_id = me["user_id"]
    created = client.post(
        f"/api/v1/users/{user_id}/tokens", json={"name": "laptop"}, headers=bearer(tokens["admin"])
    )
    assert created.status_code == 201
    new = created.get_json()
    assert client.get("/api/v1/me", headers=bearer(new["token"])).status_code == 200
    revoked = client.post(
        f"/api/v1/users/{user_id}/tokens/{new['id']}/revoke", headers=bearer(tokens["admin"])
    )
    assert revoked.get_json()["revoked_at"] is not None
    assert_error(client.get("/api/v1/me", headers=bearer(new["token"])), 401)


def test_wrong_role_is_403(client, tokens):
    assert_error(client.get("/api/v1/customers", headers=bearer(tokens["logistics"])), 403)


def test_unknown_object_is_404_and_unknown_path_too(client, tokens):
    assert_error(client.get("/api/v1/customers/999999", headers=bearer(tokens["admin"])), 404)
    assert_error(client.get("/api/v1/customers/99999999999999999999", headers=bearer(tokens["admin"])), 404)
    assert_error(client.get("/api/v1/nothing-here", headers=bearer(tokens["admin"])), 404)


def test_wrong_method_is_405_with_allow(client, tokens):
    response = client.delete("/api/v1/customers", headers=bearer(tokens["admin"]))
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_duplicate_is_409_naming_the_field(client, tokens):
    model = factories.LAPTOP_BODY
    assert (
        client.post("/api/v1/device-models", json=model, headers=bearer(tokens["admin"])).status_code == 201
    )
    assert_error(
        client.post("/api/v1/device-models", json=model, headers=bearer(tokens["admin"])), 409, "sku"
    )


def test_malformed_json_is_400_naming_the_body(client, tokens):
    response = client.post(
        "/api/v1/customers",
        data='{"name": "Acme",',
        content_type="application/json",
        headers=bearer(tokens["admin"]),
    )
    assert_error(response, 400, "body")


def test_a_body_that_is_not_json_is_refused(client, tokens):
    response = client.post("/api/v1/customers", data="name=Acme", headers=bearer(tokens["admin"]))
    assert response.status_code == 415
    assert_error(response, 415, "body")


def test_json_that_is_not_an_object_is_422(client, tokens):
    assert_error(client.post("/api/v1/customers", json=[CUSTOMER], headers=bearer(tokens["admin"])), 422)
    assert_error(client.post("/api/v1/customers", json="Acme", headers=bearer(tokens["admin"])), 422)


def test_oversized_body_is_413(client, tokens, app):
    huge = {**CUSTOMER, "name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    assert_error(client.post("/api/v1/customers", json=huge, headers=bearer(tokens["admin"])), 413)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payment_terms_days", 1.5),
        ("payment_terms_days", "30"),
        ("payment_terms_days", True),
        ("payment_terms_days", 10**30),
        ("name", ""),
        ("name", "   "),
        ("name", None),
        ("country", "nl"),
        ("currency", "eur"),
    ],
)
def test_wrong_types_are_422_naming_the_field(client, tokens, field, value):
    response = client.post(
        "/api/v1/customers", json={**CUSTOMER, field: value}, headers=bearer(tokens["admin"])
    )
    assert_error(response, 422, field)


def test_a_crash_is_a_500_without_a_stack_trace():
    app = Flask("crashing")
    register_error_handlers(app)

    @app.get("/api/v1/boom")
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/api/v1/boom")
    body = response.get_json()
    assert response.status_code == 500
    assert set(body) == {"code", "status", "message", "errors"}
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    page = app.test_client().get("/boom")  # a page: HTML, and no more said
    assert (page.status_code, page.mimetype) == (500, "text/html")
    assert "hunter2" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_nul_characters_are_refused_where_databases_would_choke(client, tokens):
    headers = bearer(tokens["admin"])
    assert_error(
        client.get("/api/v1/device-models?manufacturer=De%00ll", headers=headers), 422, "manufacturer"
    )
    assert_error(client.get("/api/v1/devices/SN%00X", headers=headers), 404)
    assert_error(
        client.post("/api/v1/customers", json={**CUSTOMER, "vat_id": "NL\x00"}, headers=headers),
        422,
        "vat_id",
    )


def test_a_page_far_beyond_any_list_is_refused(client, tokens):
    response = client.get("/api/v1/devices?page=144115188075855871", headers=bearer(tokens["admin"]))
    assert_error(response, 422, "page")


def test_a_billing_run_that_has_not_completed_cannot_be_finalized(client, tokens):
    from daas.billing.models import BillingRun
    from daas.core.periods import Period
    from daas.extensions import db
    from tests.billing_helpers import bill

    running = BillingRun(period="2026-10", status="running", actor="tests")
    db.session.add(running)
    db.session.commit()
    refused = client.post(f"/api/v1/billing-runs/{running.id}/finalize", headers=bearer(tokens["finance"]))
    body = assert_error(refused, 409, "status")
    assert "only a completed run's drafts can be finalized" in body["message"]
    done = bill(Period.parse("2026-10"))
    finalized = client.post(f"/api/v1/billing-runs/{done.id}/finalize", headers=bearer(tokens["finance"]))
    assert finalized.status_code == 200
