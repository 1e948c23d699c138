"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis), signed in as
an admin: no operation answers 5xx, and no answer contradicts the document (status codes, content type,
body schema, headers). Bounded in examples so the run takes a minute or two.

The document is read from an app without a database (it needs none); the requests go to the test
session's app, inside the usual rolled-back transaction.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from daas import create_app
from tests import factories
from tests.helpers import bearer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MAX_EXAMPLES = 100

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="testing")
)


@pytest.fixture
def admin_token(database):
    return factories.token("admin")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_document(case, app, admin_token):
    case.call_and_validate(headers=bearer(admin_token), checks=CHECKS, app=app)
