"""The one place where every error (domain, HTTP, constraint, unexpected) becomes a response.

The API answers `{"code": <status>, "status": "<reason>", "message": "...", "errors": {...}}`; pages get
the HTML error page with the same status.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, has_request_context, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from daas.core.errors import DomainError, RefusedRows
from daas.db import conflict_from_integrity_error

log = logging.getLogger(__name__)


def error_body(code: int, message: str | None = None, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    status = HTTPStatus(code)
    return {
        "code": code,
        "status": status.phrase,
        "message": message or status.description,
        "errors": errors or {},
    }


def _flatten_locations(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs keys errors by location ({"json": {"name": [...]}}); clients want the field names."""
    flat: dict[str, Any] = {}
    for location, fields in errors.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _wants_page() -> bool:
    """Pages get an HTML error page; the API (and anything under /api/) gets the JSON shape."""
    return has_request_context() and not request.path.startswith("/api/")


def _page(body: dict[str, Any]) -> Response:
    try:
        html = render_template(
            "errors/error.html",
            code=body["code"],
            reason=body["status"],
            message=_PAGE_MESSAGES.get(body["code"], body["message"]),
        )
    except Exception:  # the error page must not fail in turn (a broken database, say)
        log.exception("Could not render the error page")
        html = f"<!doctype html><title>{body['code']}</title><h1>{body['code']} {body['status']}</h1>"
    return Response(html, status=body["code"], mimetype="text/html")


_PAGE_MESSAGES = {
    400: "The form expired or did not come from this site. Go back, reload the page and try again.",
    403: "Your role may not see this page.",
    404: "There is no such page, or it is not yours to see.",
    429: "Too many attempts. Wait a minute, then try again.",
    500: "Something went wrong on our side. It has been logged; try again in a moment.",
}


def _response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    if _wants_page():
        response = _page(body)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response
    response = jsonify(body)
    response.status_code = body["code"]
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if body["code"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="daas"'
    return response


def handle_domain_error(error: DomainError) -> Response:
    body = error_body(error.status_code, error.message, error.errors)
    if isinstance(error, RefusedRows):  # an import's report, beside the error fields (never over them)
        body = {**error.report, **body}
    return _response(body)


def handle_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    if error.code == 422 and errors:
        errors = _flatten_locations(errors)
        message = "Invalid input: " + ", ".join(sorted(str(name) for name in errors)) + "."
    else:
        message = data.get("message") or error.description
    headers = dict(data.get("headers") or {})
    if error.code == 405 and (allowed := error.get_headers()):
        headers.update({k: v for k, v in allowed if k == "Allow"})
    return _response(error_body(error.code or 500, message, errors), headers)


def handle_unexpected(error: Exception) -> Response:
    """Anything unhandled: log it with its trace, answer 500 without one."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("Unhandled error", exc_info=error)
    return _response(error_body(500, InternalServerError.description))


def handle_integrity_error(error: Exception) -> Response:
    """A constraint refused a write that the service's own checks let through (a race): 409."""
    return handle_domain_error(conflict_from_integrity_error(error))  # type: ignore[arg-type]


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
