"""The OpenAPI document is valid OpenAPI 3 and documents what the API does: every status an operation can
answer, every limit a request must keep that OpenAPI can state, a name of its own for every schema and
enum, files as binary strings of their media type. The docs page is self-hosted."""

from __future__ import annotations

import itertools
import json
import re
import string
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from openapi_spec_validator import validate

from daas.api.base import EMPTY_PATCH_MESSAGE, MAX_PAGE
from daas.contracts.services import deploy_device
from daas.downloads import (
    CSV_MIMETYPE,
    FILE_SCHEMA,
    ICALENDAR_MIMETYPE,
    PDF_MIMETYPE,
    XLSX_MIMETYPE,
    XML_MIMETYPE,
)
from daas.schemas.fields import Country, DecimalString, Measure, Money, Text, UnitAmount
from daas.schemas.openapi import TEXT_PATTERN, WHITE_SPACE
from tests import factories
from tests.helpers import assert_error, bearer


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


# -- every limit and status in the document (issue 12, items 21 and 22) -----------------------------------


@pytest.fixture(scope="module")
def document(app: Any) -> dict[str, Any]:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method, path, operation


def _body_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    (body,) = operation["requestBody"]["content"].values()  # JSON, or an upload's multipart form
    schema = body["schema"]
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_operations_document_every_status_they_can_answer(document):
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert "414" in responses, (method, path)  # a web server's limit on the request line
        assert "content" not in responses["414"], "the web server answers a long URL, not the API"
        if "requestBody" in operation:
            assert {"400", "413"} <= set(responses), (method, path)
        if "requestBody" in operation and path != "/api/v1/webhooks/stripe":  # Stripe's body is read raw
            assert {"415", "422"} <= set(responses), (method, path)
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            assert "422" in responses, (method, path)


def _paginated(document: dict[str, Any]) -> list[str]:
    return [
        path
        for method, path, operation in _operations(document)
        if method == "get" and any(p["name"] == "page" for p in operation.get("parameters", []))
    ]


def test_pages_have_the_bounds_the_api_keeps(document):
    paginated = _paginated(document)
    assert len(paginated) > 10
    for path in paginated:
        parameters = {p["name"]: p["schema"] for p in document["paths"][path]["get"]["parameters"]}
        assert (parameters["page"]["minimum"], parameters["page"]["maximum"]) == (1, MAX_PAGE), path
        assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 200), path


def test_lists_document_their_pagination_header_as_the_json_text_it_carries(document, client, tokens):
    """The header is a string (JSON text), documented where it is sent, not flask-smorest's object schema."""
    assert "headers" not in document["components"]
    for path in _paginated(document):
        header = document["paths"][path]["get"]["responses"]["200"]["headers"]["X-Pagination"]
        assert header["schema"] == {"type": "string"}, path
        assert set(json.loads(header["example"])) <= {
            "total", "total_pages", "first_page", "last_page", "page", "previous_page", "next_page"
        }  # fmt: skip
    sent = client.get("/api/v1/customers", headers=bearer(tokens["admin"])).headers["X-Pagination"]
    assert json.loads(sent)["total"] >= 0


def test_every_list_refuses_a_page_past_the_documented_maximum(app, client, tokens):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in _paginated(document):
        if "{" in path:
            continue
        last = client.get(f"{path}?page={MAX_PAGE}", headers=bearer(tokens["admin"]))
        assert last.status_code == 200 and last.get_json() == [], path
        beyond = client.get(f"{path}?page={MAX_PAGE + 1}", headers=bearer(tokens["admin"]))
        assert_error(beyond, 422, "page")


def _walk(node: Any, where: tuple = ()) -> Iterator[tuple[tuple, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, (*where, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*where, index))


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def test_no_two_schemas_or_enums_share_a_name(document):
    schemas = document["components"]["schemas"]
    # Every enum is a schema of its own, referenced where it is used: none is left for a client generator
    # to name after the field that holds it (how `Payment.method` became a second `PaymentMethod`).
    inline = [
        where for where, node in _walk(document) if "enum" in node and where[:2] != ("components", "schemas")
    ]
    inline += [where for where, node in _walk(schemas) if "enum" in node and len(where) != 1]
    assert inline == []
    assert schemas["Payment"]["properties"]["method"] == {"$ref": "#/components/schemas/CollectionMethod"}
    assert schemas["PaymentMethod"]["properties"]["payment_method"]["type"] == "string"
    restock = document["paths"]["/api/v1/devices/{serial}/restock"]["post"]["requestBody"]
    assert restock["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Restock"}
    # Names stay apart where generators fold case or punctuation (file names, class names)...
    folded = [name.lower().replace("_", "") for name in schemas]
    assert len(folded) == len(set(folded))
    # ...and where they name an inline object after its schema and field.
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            if prop.get("type") == "object":
                assert _pascal(name) + _pascal(field) not in schemas, (name, field)


def test_files_are_binary_strings_of_their_media_type(document):
    media_types = set()
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            for media_type, content in response.get("content", {}).items():
                if media_type != "application/json":
                    media_types.add(media_type)
                    assert content["schema"] == FILE_SCHEMA, (method, path, status)
    assert media_types == {PDF_MIMETYPE, CSV_MIMETYPE, ICALENDAR_MIMETYPE, XML_MIMETYPE, XLSX_MIMETYPE}


def test_a_body_is_required_exactly_when_it_needs_a_field(document):
    for method, path, operation in _operations(document):
        if "requestBody" not in operation or path == "/api/v1/usage-events":
            continue
        schema = _body_schema(document, operation)
        needs_a_field = bool(schema.get("required")) or schema.get("minProperties", 0) > 0
        assert operation["requestBody"].get("required", False) is needs_a_field, (method, path)
        if method == "patch":
            assert needs_a_field, (method, path)


@pytest.mark.parametrize("body", [{}, None])
def test_an_empty_patch_is_refused_and_changes_nothing(client, tokens, body):
    created = client.post(
        "/api/v1/customers",
        json={
            "name": "Keep B.V.",
            "country": "NL",
            "currency": "EUR",
            "billing_email": "ap@keep.example",
            "billing_address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam"},
        },
        headers=bearer(tokens["finance"]),
    )
    url = f"/api/v1/customers/{created.get_json()['id']}"
    refused = client.patch(url, json=body, headers=bearer(tokens["finance"]))
    error = assert_error(refused, 422, "body")
    assert error["message"] == EMPTY_PATCH_MESSAGE
    assert client.get(url, headers=bearer(tokens["finance"])).get_json() == created.get_json()
    changed = client.patch(url, json={"name": "Kept B.V."}, headers=bearer(tokens["finance"]))
    assert changed.status_code == 200 and changed.get_json()["name"] == "Kept B.V."


def test_an_action_whose_fields_are_all_optional_needs_no_body(client, tokens):
    device = factories.device()
    deploy_device(factories.contract().id, device.serial, date(2026, 2, 1), "tests")
    response = client.post(f"/api/v1/devices/{device.serial}/lost", headers=bearer(tokens["logistics"]))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "lost"


# The decimals the API reads, one field per shape of bound it uses.
DECIMALS = {
    "money": Money(),
    "unit amount": UnitAmount(),
    "weight up to 100 kg": Measure(maximum=100),
    "a rate up to 1": DecimalString(places=4, minimum=0, maximum=1),
    "any quantity": DecimalString(places=3),
}
_decimal_text = st.text(alphabet="0123456789.-+e \n", max_size=18) | st.from_regex(
    r"-?[0-9]{1,16}(\.[0-9]{1,7})?"
)


@pytest.mark.parametrize("name", DECIMALS)
@settings(max_examples=400, deadline=None)
@given(text=_decimal_text)
def test_a_decimal_is_accepted_exactly_when_its_documented_pattern_matches(name, text):
    field = DECIMALS[name]
    try:
        field.deserialize(text)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted is bool(re.fullmatch(field.metadata["pattern"], text)), (field.metadata["pattern"], text)


@pytest.mark.parametrize("number", [12, 0, 1.5])
def test_a_decimal_is_a_string_never_a_json_number(client, tokens, number):
    body = {**factories.LAPTOP_BODY, "weight_kg": number}
    assert_error(
        client.post("/api/v1/device-models", json=body, headers=bearer(tokens["admin"])), 422, "weight_kg"
    )


_text = st.text(alphabet=st.sampled_from("ab \t\n\x1c\x1d\x85\xa0\u2007\u3000\ufeff\x00é😀"), max_size=10)


@settings(max_examples=500, deadline=None)
@given(text=_text)
def test_free_text_is_accepted_exactly_when_its_documented_limits_allow(text):
    field = Text(max_length=6)
    documented = field.metadata | {"minLength": 1, "maxLength": 6}
    try:
        field.deserialize(text)
        accepted = True
    except ValidationError:
        accepted = False
    allowed = documented["minLength"] <= len(text) <= documented["maxLength"]
    assert accepted is (allowed and bool(re.fullmatch(documented["pattern"], text))), repr(text)


def test_the_documented_white_space_is_what_python_strips():
    white = re.compile(f"[{WHITE_SPACE}]")
    assert [c for c in range(0x110000) if bool(white.fullmatch(chr(c))) is not chr(c).isspace()] == []


def test_strings_without_rules_of_their_own_say_they_hold_no_nul(document, client, tokens):
    password = document["components"]["schemas"]["UserCreate"]["properties"]["password"]
    assert password["pattern"] == TEXT_PATTERN and re.search(TEXT_PATTERN, "\x00") is None
    body = {"email": "nul@example.com", "role": "finance", "password": "ten chars\x00 or more"}
    assert_error(client.post("/api/v1/users", json=body, headers=bearer(tokens["admin"])), 422, "password")


def test_the_countries_documented_are_the_countries_accepted(document):
    documented = set(document["components"]["schemas"]["Country"]["enum"])
    field = Country()
    for code in map("".join, itertools.product(string.ascii_uppercase, repeat=2)):
        try:
            field.deserialize(code)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted is (code in documented), code
