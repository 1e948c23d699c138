"""The OpenAPI document is valid OpenAPI 3 and documents what the API does; the docs page is self-hosted."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_the_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_operations_document_their_auth_and_error_statuses(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            if path == "/api/v1/webhooks/stripe":
                assert operation["security"] == [] and "400" in responses  # signed by Stripe instead
                continue
            assert "401" in responses, (method, path)
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            if "requestBody" in operation:
                assert "422" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)


def test_request_bodies_refuse_unknown_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for name in ("CustomerCreate", "PlanCreate", "ChargeIn", "DeviceCreate", "ContractCreate"):
        assert spec["components"]["schemas"][name]["additionalProperties"] is False, name


def test_money_is_documented_as_decimal_strings(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    unit_amount = schemas["ChargeIn"]["properties"]["unit_amount"]
    assert unit_amount["type"] == "string"
    assert re.fullmatch(unit_amount["pattern"], "1.283871")


def test_the_docs_page_serves_every_asset_itself(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html, "no asset from a CDN"
    assert "<script>" not in html, "no inline script (CSP)"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/docs/assets/../../wsgi.py").status_code == 404
    assert client.get("/").status_code == 302
