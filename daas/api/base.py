"""The flask-smorest Api and Blueprint as daas uses them.

- Error responses are documented per operation (401, 403, 404, 409, 422) instead of one catch-all
  `default`, so the OpenAPI document says exactly which statuses each operation can answer.
- JSON bodies are parsed with decimals kept exact (`1.10` arrives as `Decimal("1.10")`, never a float),
  a body that is not JSON is a 400 or 415 naming the body, and an unknown field is a 422.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import flask_smorest
import marshmallow as ma
from flask_smorest import abort
from flask_smorest.pagination import PaginationParameters
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request


class ErrorSchema(ma.Schema):
    """The one error shape of the API."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code", "example": 422})
    status = ma.fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = ma.fields.Dict(
        required=True,
        metadata={"description": "Messages keyed by the field at fault (by index for lists)"},
    )


class JsonParser(FlaskParser):
    """webargs parser that keeps JSON decimals exact and refuses bodies that are not JSON."""

    DEFAULT_VALIDATION_STATUS = 422

    def _raw_load_json(self, req: Any) -> Any:
        data = req.get_data(cache=True)
        if not data:
            return core.missing
        if not is_json_request(req):
            abort(
                415,
                message="The body must be JSON, sent with Content-Type: application/json.",
                errors={"body": ["Expected Content-Type: application/json."]},
            )
        try:
            return json.loads(data, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            abort(400, message="The body is not valid JSON.", errors={"body": [f"Invalid JSON: {exc}"]})
        return core.missing  # unreachable: abort raises


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonParser()
    PAGINATION_ARGUMENTS_PARSER = JsonParser(location="query")
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 200}


class DaasApi(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """daas.errors registers the handlers for every error, the API's included."""

    def _init_spec(self, **kwargs: Any) -> None:
        super()._init_spec(**kwargs)
        self.spec.components.security_scheme(
            "bearerAuth",
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token: `Authorization: Bearer daas_...`",
            },
        )


def page_window(pagination: PaginationParameters) -> tuple[int, int]:
    """(offset, limit) of the requested page."""
    return pagination.first_item, pagination.page_size
