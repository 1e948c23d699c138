"""Arbitrary Unicode in every text field of the API finds only 2xx and 4xx answers, never a 5xx.

The OpenAPI document says where text goes in: every string of every request body (at any depth, keys and
values of free objects such as usage `properties` too), every string query parameter and the serial in
device paths. For each operation a request that would otherwise be accepted is built from the document,
naming the objects of a small world (a customer with a contract, devices at each step of takeback, an
issued invoice, a scheduled return, an open refresh), and one of those places gets text drawn by
hypothesis: lone surrogates, NUL, right-to-left marks, emoji, combining marks, very long strings, anything.
Every place first gets a lone surrogate, a NUL and odd but valid text, then what hypothesis draws;
signed in as an admin, and as the customer where it is the customer who posts (usage, return orders).
Lone surrogates are what broke PostgreSQL: the suite runs this on both databases. Each example runs in a
savepoint rolled back after it, so every example meets the same world.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from daas import create_app
from daas.auth.services import create_token
from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.extensions import db
from daas.logistics import refresh, returns, slots, takeback
from daas.logistics.models import RefreshOrder
from daas.logistics.rules import UpgradePolicy
from daas.settings import current_settings
from tests import factories
from tests.api.test_impact import PARAMETERS, SOURCES
from tests.billing_helpers import OCTOBER, bill, documents
from tests.conftest import rolled_back
from tests.helpers import bearer

MAX_EXAMPLES = 20
DOCUMENT = (
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="testing")
    .test_client()
    .get("/api/v1/openapi.json")
    .get_json()
)
TODAY = date(2026, 11, 15)
REGION = "NL-NH"
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}

# Text nobody types but anybody can send.
ODD = [
    "\x00",
    "\ud800",
    "\udfff",
    "\udbff",
    "\udc00",
    "\u200f",
    "\u202e",
    "\u0301",
    "😀",
    "\ufeff",
    "\U0010ffff",
]
# Every place gets these first: what broke PostgreSQL, what no database stores, and text that is odd but
# fine (right-to-left marks, emoji, a combining mark), which must be taken as it is.
EXAMPLES = ["\ud800", "a\x00b", "\u200fשלום \u202e😀 e\u0301"]
# Where the customer is the one who posts; everything else is tried as an admin, who may do all of it.
CUSTOMER_POSTS = {
    ("POST", "/api/v1/usage-events"),
    ("POST", "/api/v1/return-orders"),
    ("POST", "/api/v1/refresh-orders/{order_id}/approve"),
    ("POST", "/api/v1/refresh-orders/{order_id}/reschedule"),
}
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),  # lone surrogates included
    st.lists(st.sampled_from(ODD) | st.text(max_size=3), min_size=1, max_size=8).map("".join),
    st.builds(lambda piece, times: (piece or "x") * times, st.text(max_size=3), st.integers(100, 3000)),
)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its references and allOf parts laid into one."""
    if "$ref" in schema:
        return resolve(DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "allOf" in schema:
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        for part in schema["allOf"]:
            merged = {**resolve(part), **merged}
        return merged
    for choice in ("oneOf", "anyOf"):
        if choice in schema:
            return resolve(schema[choice][0])
    return schema


def is_free_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and "properties" not in schema


# A place for text: ("body", path) with a path of keys (0 for a list's item, KEY or VALUE inside a free
# object), ("query", name) or ("path", "serial").
KEY, VALUE = "<key>", "<value>"


def body_places(schema: dict[str, Any], path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    schema = resolve(schema)
    if schema.get("type") == "string":
        return [path]
    if schema.get("type") == "array":
        return body_places(schema["items"], (*path, 0))
    if is_free_object(schema):
        return [(*path, KEY), (*path, VALUE)]
    places = []
    for name, prop in schema.get("properties", {}).items():
        if not resolve(prop).get("readOnly"):
            places += body_places(prop, (*path, name))
    return places


def parameters_of(path: str, operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [*DOCUMENT["paths"][path].get("parameters", []), *operation.get("parameters", [])]


def json_body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return content["schema"] if content else None


def operations() -> list[tuple[str, str, dict[str, Any], list[tuple[str, Any]]]]:
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = parameters_of(path, operation)
            places: list[tuple[str, Any]] = [
                ("query", p["name"])
                for p in parameters
                if p["in"] == "query" and resolve(p.get("schema", {})).get("type") == "string"
            ]
            places += [("path", p["name"]) for p in parameters if p["in"] == "path" and p["name"] == "serial"]
            if (schema := json_body_schema(operation)) is not None:
                places += [("body", place) for place in body_places(schema)]
            if places:
                found.append((method.upper(), path, operation, places))
    return found


OPERATIONS = operations()

# Each collection's own key: a new one for the POST that creates it, so that the POST can succeed.
FRESH = {
    "/api/v1/devices": {"serial": "SN-FUZZ-NEW"},
    "/api/v1/device-models": {"sku": "SKU-FUZZ-NEW"},
    "/api/v1/metrics": {"code": "fuzz-new"},
    "/api/v1/plans": {"code": "fuzz-new"},
    "/api/v1/users": {"email": "new.user@example.com"},
}
# Bodies too particular to build from the document alone.
BODIES = {
    ("POST", "/api/v1/plans"): {
        "code": "fuzz-new",
        "name": "Laptop Standard",
        "currency": "EUR",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "charges": [{"kind": "device_monthly", "unit_amount": "39.00"}],
    },
    ("POST", "/api/v1/impact/parameter-sets"): {
        "valid_from": "2026-12-01",
        "values": PARAMETERS,
        "sources": SOURCES,
    },
}


class Requests:
    """Values that get a request past validation, so the drawn text reaches the services and the
    database: the world's own objects where a field or a path names one."""

    def __init__(self, world: dict[str, Any], method: str, path: str) -> None:
        self.world, self.method, self.path = world, method, path
        self.fresh = FRESH.get(path, {}) if method == "POST" else {}

    def path_value(self, name: str) -> Any:
        world = self.world
        if name == "serial":  # a device in the state the route's step needs
            step = self.path.rsplit("/", 1)[-1]
            return world["serials"].get(step, world["serials"]["deployed"])
        if name == "order_id":
            return world["refresh_order_id"] if "/refresh-orders/" in self.path else world["return_order_id"]
        return world["ids"].get(name, 1)

    def url(self, operation: dict[str, Any], text: str | None) -> str:
        url = self.path
        for parameter in (p for p in parameters_of(self.path, operation) if p["in"] == "path"):
            name = parameter["name"]
            value = encoded(text) if text is not None and name == "serial" else str(self.path_value(name))
            url = url.replace("{" + name + "}", value)
        return url

    def string(self, name: str, schema: dict[str, Any]) -> str:
        world = self.world
        values = {
            "serial": world["serials"]["stock"],
            "replacement_serial": world["serials"]["stock"],
            "sku": world["ids"]["sku"],
            "replacement_sku": world["ids"]["sku"],
            "plan_code": world["ids"]["plan_code"],
            "metric": world["ids"]["metric"],
            "email": "ap@example.com",
            "billing_email": "ap@example.com",
            "password": "correct-horse-battery-staple",
            "region": REGION,
            "pickup_region": REGION,
            "period": "2026-10",
            "transaction_id": "tx-fuzz-1",
            "standard": WIPE["standard"],
            "payment_method": "pm_card_visa",
            "amount": "1.00",
        }
        if name in self.fresh:
            return self.fresh[name]
        if name in values:
            return values[name]
        if "enum" in schema:
            return schema["enum"][0]
        if schema.get("format") == "date":
            return TODAY.isoformat()
        if schema.get("format") == "date-time":
            return f"{TODAY.isoformat()}T00:00:00Z"
        if "pattern" in schema and "\\d" in schema["pattern"]:
            return "1"  # a decimal
        return schema.get("example") or "Fuzz value"

    def value(self, name: str, schema: dict[str, Any], target: tuple[Any, ...] | None) -> Any:
        schema = resolve(schema)
        kind = schema.get("type")
        if kind == "string":
            return self.string(name, schema)
        if kind == "integer":
            return self.world["ids"].get(name) or max(schema.get("minimum", 1), 1)
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        if kind == "array":
            if name == "serials":
                return [self.world["serials"]["returnable"]]
            inner = target[1:] if target and target[0] == 0 else None
            return [self.value(name, schema["items"], inner)]
        if is_free_object(schema):
            return {"user": "user-1"} if name == "properties" else {}
        body = {}
        properties = schema.get("properties", {})
        for prop_name, prop in properties.items():
            on_target = bool(target) and target[0] == prop_name
            if prop_name in schema.get("required", []) or on_target or prop_name == "properties":
                body[prop_name] = self.value(prop_name, prop, target[1:] if on_target else None)
        if not body and properties and self.method == "PATCH":  # a PATCH changes at least one field
            first = next(iter(properties))
            body[first] = self.value(first, properties[first], None)
        return body

    def body(self, schema: dict[str, Any], target: tuple[Any, ...] | None, text: str) -> Any:
        body = BODIES.get((self.method, self.path)) or self.value("", schema, target)
        return body if target is None else place_text(body, target, text)


def place_text(body: Any, path: tuple[Any, ...], text: str) -> Any:
    """The body with `text` at `path` (a free object gets it as a key, or as its first value); objects and
    lists on the way that the body lacks are added."""
    head, rest = path[0], path[1:]
    if head == KEY:
        return {**body, text: "value"}
    if head == VALUE:
        return {**body, next(iter(body), "field"): text}
    copy = list(body) if isinstance(body, list) else dict(body)
    if not rest:
        copy[head] = text
        return copy
    missing = (isinstance(copy, list) and len(copy) <= head) or (isinstance(copy, dict) and head not in copy)
    if missing:
        inner: Any = [] if rest[0] == 0 else {}
        if isinstance(copy, list):
            copy.append(inner)
        else:
            copy[head] = inner
    copy[head] = place_text(copy[head], rest, text)
    return copy


def encoded(text: str) -> str:
    """Percent-encoded as a client that does not check its text would send it."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _build_world() -> dict[str, Any]:
    """A customer with two contracts: devices deployed (one free to return, one in a scheduled return
    order, one due for refresh) and four at the steps of takeback (received, wiped, graded, refurbishing);
    one in stock; an issued October invoice; tokens of an admin and of the customer."""
    factories.metric(code="fuzz_users", aggregation="unique_count", field="user")
    model = factories.device_model(sku="SKU-FUZZ", expected_lifetime_months=60)
    plan = factories.plan(code="plan-fuzz", refresh_cycle_months=12, term_months=36)
    customer = factories.customer(pickup_region=REGION, pickup_address="Dam 1, Amsterdam")
    contract = factories.contract(customer.id, plan.code, date(2025, 11, 1))
    serials = {
        name: factories.device(model.sku, serial=f"SN-FUZZ-{name.upper()}", on=date(2025, 10, 1)).serial
        for name in ("returnable", "scheduled", "due", "wipe", "grade", "disposition", "restock", "stock")
    }
    for name in ("returnable", "scheduled", "wipe", "grade", "disposition", "restock"):
        deploy_device(contract.id, serials[name], date(2026, 2, 1), "tests")
    deploy_device(contract.id, serials["due"], date(2025, 12, 1), "tests")  # refresh due 2026-12-01
    slot = slots.create_slot(REGION, TODAY + timedelta(days=1), 50)
    scheduled = returns.create_return_order(
        contract.id, [serials["scheduled"]], "defect", TODAY, REGION, "Dam 1", "tests", 14
    )
    taken = [serials[name] for name in ("wipe", "grade", "disposition", "restock")]
    back = returns.create_return_order(contract.id, taken, "defect", TODAY, REGION, "Dam 1", "tests", 14)
    returns.pick_up_return_order(back.id, TODAY, "tests")
    returns.receive_return_order(back.id, TODAY, "tests")
    for name in ("grade", "disposition", "restock"):
        takeback.wipe_device(serials[name], {**WIPE, "on": TODAY}, "tests")
    for name in ("disposition", "restock"):
        takeback.grade_device(serials[name], "B", "tests", on=TODAY, policy=current_settings().end_of_term)
    takeback.dispose_device(serials["restock"], "refurbish", "tests", on=TODAY)
    refresh.plan_refresh_orders(TODAY, 60, UpgradePolicy())
    finalize_run(bill(OCTOBER).id, documents())
    invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
    admin = factories.user("admin")
    token, admin_token = create_token(admin.id, "fuzz")
    customer_token = factories.token("customer", customer.id)
    world = {
        "tokens": {"admin": admin_token, "customer": customer_token},
        "serials": {
            "deployed": serials["returnable"],
            "returnable": serials["returnable"],
            "stock": serials["stock"],
            "wipe": serials["wipe"],
            "grade": serials["grade"],
            "disposition": serials["disposition"],
            "restock": serials["restock"],
            "lost": serials["returnable"],
        },
        "return_order_id": scheduled.id,
        "refresh_order_id": db.session.scalar(select(RefreshOrder.id)),
        "ids": {
            "customer_id": customer.id,
            "contract_id": contract.id,
            "model_id": model.id,
            "plan_id": plan.id,
            "user_id": admin.id,
            "token_id": token.id,
            "slot_id": slot.id,
            "invoice_id": invoice.id,
            "sku": model.sku,
            "plan_code": plan.code,
            "metric": "fuzz_users",
        },
    }
    db.session.commit()
    return world


@contextmanager
def example_savepoint() -> Iterator[None]:
    """Whatever the example writes is undone after it. The savepoint is released once rolled back to:
    SQLAlchemy's nested transactions only roll back to theirs, which stays open inside the world's
    transaction, one more subtransaction (and one more lock in PostgreSQL's shared lock table) per example."""
    connection = db.engines[None]
    db.session.remove()  # the world is committed: the savepoint below holds nothing of it
    connection.exec_driver_sql("SAVEPOINT fuzz_example")
    try:
        yield
    finally:
        db.session.remove()
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT fuzz_example")
        connection.exec_driver_sql("RELEASE SAVEPOINT fuzz_example")


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[dict[str, Any]]:
    """Built once for the module, in a transaction rolled back at its end."""
    with clock.frozen(TODAY), rolled_back(app):
        yield _build_world()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "operation", "places"), OPERATIONS, ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS]
)
def test_any_text_in_any_field_is_answered_without_a_server_error(
    app, world, method, path, operation, places
):
    requests = Requests(world, method, path)
    schema = json_body_schema(operation)
    client = app.test_client()

    roles = ["admin", "customer"] if (method, path) in CUSTOMER_POSTS else ["admin"]

    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(place=st.sampled_from(places), text=TEXT, role=st.sampled_from(roles))
    def one_request(place: tuple[str, Any], text: str, role: str) -> None:
        where, name = place
        url = requests.url(operation, text if where == "path" else None)
        query = f"?{encoded(name)}={encoded(text)}" if where == "query" else ""
        body = None if schema is None else requests.body(schema, name if where == "body" else None, text)
        with example_savepoint():
            response = client.open(
                url + query,
                method=method,
                headers=bearer(world["tokens"][role]),
                **(
                    {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
                ),
            )
        assert response.status_code < 500, (method, url + query, body, response.get_data(as_text=True))

    for place in places:
        for text in EXAMPLES:
            for role in roles:
                one_request = example(place=place, text=text, role=role)(one_request)
    one_request()


def test_the_walk_reaches_the_text_that_matters() -> None:
    """Usage properties (keys and values), transaction ids, names, serials in paths, query filters."""
    places = {(method, path): places for method, path, _, places in OPERATIONS}
    usage = places[("POST", "/api/v1/usage-events")]
    for place in (
        ("events", 0, "properties", KEY),
        ("events", 0, "properties", VALUE),
        ("events", 0, "transaction_id"),
    ):
        assert ("body", place) in usage
    assert ("body", ("name",)) in places[("POST", "/api/v1/customers")]
    assert ("body", ("harvested_parts", 0, "part")) in places[
        ("POST", "/api/v1/devices/{serial}/disposition")
    ]
    assert ("path", "serial") in places[("GET", "/api/v1/devices/{serial}")]
    assert ("query", "manufacturer") in places[("GET", "/api/v1/device-models")]
    assert len(OPERATIONS) >= 50
