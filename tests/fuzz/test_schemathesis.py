"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis), as every role
(admin, finance, logistics, a customer), with every check schemathesis has: no 5xx, nothing that
contradicts the document (statuses, content types, bodies, headers), schema-valid requests accepted and
schema-violating ones refused, authentication enforced, missing headers and unsupported methods refused.
Bounded to a few examples per operation so the run takes a few minutes.

The checks are configured in schemathesis.toml (also read by the CLI): it lists the operations whose
schema-valid requests may still be refused with 422 because a rule depends on stored data or on several
fields at once, which OpenAPI cannot state. Here that allowance is narrowed further: such a 422 must come
from the domain's rules, never from the schema or the parser, whose every limit is in the document.

The document is read from an app without a database (it needs none); the requests go to the test
session's app, on a world built once for the module (tests/fuzz/world.py), each example inside a savepoint
rolled back after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from daas import ROOT, create_app
from daas.core import clock
from daas.core.text import KEY_MESSAGE
from daas.extensions import db
from tests.conftest import rolled_back
from tests.fuzz.world import ROLES, TODAY, World, build_world

MAX_EXAMPLES = 3

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="testing"),
    config=SchemathesisConfig.from_path(str(ROOT / "schemathesis.toml")),
)


# Cases are generated with this stand-in token (some while pytest collects, before any role is known);
# each test puts its role's token in its place. A case whose Authorization header schemathesis removed
# or mangled, to test the refusal, keeps it that way.
STAND_IN = "daas_role_under_test"


@schema.auth(refresh_interval=None)
class RoleToken:
    """The API's bearer auth as schemathesis should know it (not a plain header it cannot reason about)."""

    def get(self, case: Any, context: Any) -> str:
        return STAND_IN

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def sign_in(case: Any, token: str) -> None:
    if (case.headers or {}).get("Authorization") == f"Bearer {STAND_IN}":
        case.headers["Authorization"] = f"Bearer {token}"


@pytest.fixture(scope="module")
def world(app: Any) -> Iterator[World]:
    with clock.frozen(TODAY), rolled_back(app):
        yield build_world()


@contextmanager
def isolated() -> Iterator[None]:
    """What the example writes is rolled back afterwards, so every example starts from the same world.

    The savepoint is also released: SQLAlchemy's nested rollback leaves it on PostgreSQL's stack, and
    thousands of examples nested that deep exhaust the server's lock table (max_locks_per_transaction)."""
    connection = db.engines[None]  # the world's connection (tests.conftest.rolled_back)
    connection.exec_driver_sql("SAVEPOINT fuzz_example")  # type: ignore[attr-defined]
    try:
        yield
    finally:
        db.session.remove()
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT fuzz_example")  # type: ignore[attr-defined]
        connection.exec_driver_sql("RELEASE SAVEPOINT fuzz_example")  # type: ignore[attr-defined]


# Refusals by the schema or the parser that OpenAPI 3.0 cannot state either: a rule across two fields, and
# a rule on the keys of a map (that needs OpenAPI 3.1's propertyNames).
CROSS_FIELD_RULES = {"Must be on or after `from`.", "Send either amount or lines."}
MAP_KEY_RULES = {KEY_MESSAGE}


def refused_by_the_domain_only(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request refused with 422 (where schemathesis.toml allows it) was refused by a rule
    of the domain, never by a field's own limit: the schema and the parser answer "Invalid input: ...",
    and every limit they keep that OpenAPI can state is in the document."""
    if response.status_code != 422 or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    body = response.json()
    if not body.get("message", "").startswith("Invalid input:"):
        return
    for messages, about_a_key in _messages(body.get("errors", {})):
        if about_a_key or set(messages) <= CROSS_FIELD_RULES | MAP_KEY_RULES:
            continue
        raise AssertionError(f"A limit the document does not state refused a schema-valid request: {body}")


def _messages(errors: Any, about_a_key: bool = False) -> Iterator[tuple[list[str], bool]]:
    """Each list of messages, and whether it is about a map's key (marshmallow files those under "key")."""
    if isinstance(errors, list):
        yield [str(message) for message in errors], about_a_key
    elif isinstance(errors, dict):
        for name, nested in errors.items():
            yield from _messages(nested, about_a_key or name == "key")


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case: Any, role: str, app: Any, world: World) -> None:
    sign_in(case, world.tokens[role])
    world.aim(case)
    with isolated():
        case.call_and_validate(app=app, additional_checks=[refused_by_the_domain_only])
