"""flask-smorest registers its own handler for HTTP errors when the API is bound to an app; daas's Api
answers it with the one error shape too, so which registration runs last does not change a response."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import Conflict, HTTPException, MethodNotAllowed, NotFound

from daas.api import errors
from daas.api.base import api


def test_the_apis_own_handler_answers_the_one_error_shape(app: Flask) -> None:
    failures = [
        NotFound(),
        Conflict("The plan is in use."),
        MethodNotAllowed(valid_methods=["GET"]),
    ]
    with app.test_request_context("/api/v1/customers"):
        for failure in failures:
            own, shared = api.handle_http_exception(failure), errors.handle_http_exception(failure)
            assert (own.status_code, own.get_json()) == (shared.status_code, shared.get_json())
            assert own.get_json()["code"] == failure.code and set(own.get_json()) == {
                "code", "status", "message", "errors"
            }  # fmt: skip
            assert dict(own.headers) == dict(shared.headers)


def test_every_http_error_of_the_app_goes_through_the_one_handler(app: Flask) -> None:
    handler = app.error_handler_spec[None][None][HTTPException]
    assert handler is errors.handle_http_exception
