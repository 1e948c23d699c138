"""The flask-smorest Api and Blueprint as daas uses them.

- Error responses are documented per operation (401, 403, 404, 409, 422, and 414 on every one: a web
  server's limit on the URL) instead of one catch-all `default`, so the OpenAPI document says exactly
  which statuses each operation can answer. A body is required when it needs a field; a PATCH with none
  is refused. Pages go up to MAX_PAGE, and the document says so (daas.schemas.openapi writes the rest).
- JSON bodies are parsed with decimals kept exact (`1.10` arrives as `Decimal("1.10")`, never a float),
  a body that is not JSON is a 400 or 415 naming the body, and an unknown field is a 422.
- Every string of a body (keys too, at any depth), and of the query string, is checked once, here, for
  what no database can store (NUL, lone surrogates), as are NaN and Infinity and nesting deeper than 64
  levels, in one walk (daas.core.text.first_refusal, which Stripe's events go through too); each is
  refused naming the field before any schema or service runs.

Everything is done through the public extension points of flask-smorest 0.47, apispec and webargs: the
marshmallow plugin and daas's own apispec plugin (`DocumentationPlugin`) go in through `Api.init_app`'s
`spec_kwargs`; the security scheme through `api.spec.components` once the spec exists; the error shape
through `Api.ERROR_SCHEMA` and `Api.handle_http_exception`; pagination defaults through
`Blueprint.DEFAULT_PAGINATION_PARAMETERS` and `PAGINATION_HEADER_NAME`; the body parser through webargs'
`Parser.load_json`. What flask-smorest writes with no setting to change it (the pagination header as a
reference to its JSON-object schema, `page` without an upper bound, no 414) `DocumentationPlugin`
rewrites in each operation, as apispec hands every plugin each path's operations to complete.
"""

from __future__ import annotations

import functools
import json
from copy import deepcopy
from decimal import Decimal
from typing import Any

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, request
from flask_smorest import abort
from flask_smorest.pagination import PaginationParameters
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException

from daas.api import errors
from daas.api.converters import IdConverter, id_schema
from daas.api.idempotency import IdempotencyKeyDocumentation
from daas.core.errors import Invalid
from daas.core.text import DEPTH_MESSAGE, NonFinite, first_refusal, text_problem
from daas.schemas.openapi import DaasMarshmallowPlugin


class ErrorSchema(ma.Schema):
    """The one error shape of the API."""

    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code", "example": 422})
    status = ma.fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = ma.fields.Dict(
        required=True,
        metadata={"description": "Messages keyed by the field at fault (by index for lists)"},
    )


MAX_PAGE = 1_000_000


def refuse_unstorable_input() -> None:
    """Before every request, API and pages alike: NUL in the path cannot name anything (404); text no
    database can store (NUL, a lone surrogate) in a query parameter, or in a page's form field or uploaded
    file name, is invalid input on that field (422), before any view or service sees it. JSON bodies are
    checked by the parser, field by field."""
    if "\x00" in request.path:
        abort(404)
    fields = [*request.args.items(multi=True)]
    if not request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
        fields += request.form.items(multi=True)
        fields += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    for name, value in fields:
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            field = name.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
            abort(422, message=f"Invalid input: {field}.", errors={field: [problem]})


def parse_json_body(req: Any) -> Any:
    """The request's JSON body (`missing` when there is none) with decimals kept exact, or the request
    refused: 415 for a body that is not JSON, 400 for malformed JSON or nesting too deep, and 400 or 422
    for text, numbers and nesting that cannot be stored (daas.core.text.first_refusal)."""
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
        body = json.loads(data, parse_float=Decimal, parse_constant=NonFinite)
    except RecursionError:
        abort(400, message=DEPTH_MESSAGE, errors={"body": [DEPTH_MESSAGE]})
    except (ValueError, UnicodeDecodeError) as exc:
        abort(400, message="The body is not valid JSON.", errors={"body": [f"Invalid JSON: {exc}"]})
    if (refusal := first_refusal(body)) is not None:
        abort(
            400 if refusal.whole else 422,
            message=refusal.message if refusal.whole else f"Invalid input: {refusal.path}.",
            errors={refusal.path: [refusal.message]},
        )
    return body


class JsonParser(FlaskParser):
    """webargs parser that keeps JSON decimals exact, refuses bodies that are not JSON, and refuses text,
    numbers and nesting that cannot be stored before any schema or service sees them.

    `load_json` is the parser's public loader for the "json" location (webargs looks loaders up by
    name); the hooks it calls by default (`_raw_load_json`, `_handle_invalid_json_error`) are webargs'
    internals, so the whole loader is replaced."""

    DEFAULT_VALIDATION_STATUS = 422

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        return parse_json_body(req)

    def load_files(self, req: Any, schema: ma.Schema) -> Any:
        """An upload's files with the text fields sent beside them in the same multipart body (the
        document describes both as one multipart/form-data body)."""
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


_PAGINATION_HEADER_DOC = {
    "description": "Pagination as JSON: total, total_pages, first_page, last_page, page, previous_page, "
    "next_page.",
    "schema": {"type": "string"},
    "example": '{"total": 120, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 1, "next_page": 2}',
}


def read_json_body() -> Any:
    """The request's JSON body, parsed as the API parses every body (exact decimals; 400, 415 and 422
    for bodies that are not JSON objects), for views that check their input themselves."""
    body = parse_json_body(request)
    if body is core.missing:
        abort(422, message="Invalid input: body.", errors={"body": ["A JSON body is required."]})
    return body


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonParser()
    PAGINATION_ARGUMENTS_PARSER = JsonParser(location="query")
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 200}

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """Parse arguments; a JSON body may also be refused as malformed (400), too large (413) or not
        JSON (415). A body is required when its schema has a required field; a partial one (a PATCH)
        must hold at least one field, since an empty PATCH would change nothing (422)."""
        if location != "json":
            return super().arguments(schema, location=location, **kwargs)
        partial = getattr(schema, "partial", None) is True
        kwargs.setdefault("required", partial or _has_required_field(schema))
        parse = super().arguments(schema, location=location, **kwargs)

        def decorator(func: Any) -> Any:
            func = parse(_refusing_empty_body(func) if partial else func)
            for status, name in (
                (400, "BAD_REQUEST"),
                (413, "REQUEST_ENTITY_TOO_LARGE"),
                (415, "UNSUPPORTED_MEDIA_TYPE"),
            ):
                func = self.alt_response(status, response=name)(func)
            return func

        return decorator


EMPTY_PATCH_MESSAGE = "Send at least one field to change."
_URI_TOO_LONG_DOC = {
    "description": "URI Too Long: the URL is longer than the web server accepts (the answer is the web "
    "server's own, not the API's error shape)."
}


def _has_required_field(schema: Any) -> bool:
    instance = schema() if isinstance(schema, type) else schema
    return isinstance(instance, ma.Schema) and any(field.required for field in instance.load_fields.values())


def _refusing_empty_body(view: Any) -> Any:
    """The view, refusing a body without fields; flask-smorest passes the parsed body last."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not args[-1]:
            raise Invalid(EMPTY_PATCH_MESSAGE, errors={"body": [EMPTY_PATCH_MESSAGE]})
        return view(*args, **kwargs)

    return wrapper


class DocumentationPlugin(BasePlugin):
    """What daas's document says of every operation beyond what flask-smorest writes, as an apispec plugin
    (apispec hands each plugin every path's operations once flask-smorest and the marshmallow plugin have
    written them):

    - every operation can meet a web server's limit on the request line: 414 (gunicorn, above 4 KiB);
    - the pagination header carries JSON text, so it is documented as a string, as sent, for clients and
      validators (flask-smorest documents it as a reference to an object schema, and offers no setting
      for the header's documentation: only `Blueprint._document_pagination_metadata`, a private method);
    - `page` goes up to MAX_PAGE (kept by `page_window`): `Blueprint.paginate` builds its parameter
      schema itself, with no way to give it a maximum, so the bound is written into the parameter here."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            paginated = False
            for response in responses.values():
                headers = response.get("headers") if isinstance(response, dict) else None
                if headers and Blueprint.PAGINATION_HEADER_NAME in headers:
                    headers[Blueprint.PAGINATION_HEADER_NAME] = deepcopy(_PAGINATION_HEADER_DOC)
                    paginated = True
            if paginated:
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "query" and parameter.get("name") == "page":
                        parameter["schema"]["maximum"] = MAX_PAGE
            responses.setdefault(414, deepcopy(_URI_TOO_LONG_DOC))


_BEARER_AUTH = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token: `Authorization: Bearer daas_...`",
}


class DaasApi(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        """Bind the API to `app` with a spec of its own: fresh plugins for each app (a plugin keeps the
        spec it writes), and the bearer token scheme every operation's `security` names."""
        plugins = {
            "marshmallow_plugin": DaasMarshmallowPlugin(),
            "extra_plugins": [DocumentationPlugin(), IdempotencyKeyDocumentation()],
        }
        super().init_app(app, spec_kwargs={**plugins, **(spec_kwargs or {})})
        self.spec.components.security_scheme("bearerAuth", _BEARER_AUTH)

    def handle_http_exception(self, error: HTTPException) -> Any:
        """The one error shape (daas.api.errors), for the handler flask-smorest registers in `init_app`;
        create_app registers the same function for every error afterwards."""
        return errors.handle_http_exception(error)


def page_window(pagination: PaginationParameters) -> tuple[int, int]:
    """(offset, limit) of the requested page; a page past any real list is refused, not sent to the
    database."""
    if pagination.page > MAX_PAGE:
        raise Invalid.field("page", f"At most {MAX_PAGE}.")
    return pagination.first_item, pagination.page_size


# The one flask-smorest Api of the app; create_app binds it and registers every view blueprint on it.
api = DaasApi()
# Once, before any init_app: each app's spec takes the registered converters when it is made.
api.register_converter(IdConverter, id_schema)
