"""`Idempotency-Key` on the POSTs that change money or documents (Stripe's semantics).

`@idempotent(blp)` goes on a view right under `@access(...)`. Without the header the request runs as
always. With it (1 to 255 visible ASCII characters, else 422 naming the header), keys are per caller
(`user:<id>`) and the request is fingerprinted by method, path and body (daas.idempotency.rules):

- the first request with a key claims it (committed before the endpoint runs), runs, and its answer is
  kept for 24 hours from the claim: a 2xx, and any error the endpoint itself answered (a domain error:
  404, 409, 422 ...; a constraint that caught a race: 409);
- the same key with the same request within those 24 hours gets that answer again, status and body, with
  `Idempotent-Replayed: true`, and nothing runs;
- the same key with another method, path or body is refused (422), whatever became of the first;
- while the first request is still running, the same request with its key is refused (409);
- a request refused before the endpoint ran (a body the parser or the schema refuses: 400, 413, 415,
  422) keeps nothing, nor does one that failed unexpectedly (500) before committing anything: the key
  is let go, and a retry runs afresh. A 500 after the endpoint committed work (a credit note issued, then
  the refund step failed) is kept like any answer, so a retry cannot do that work twice;
- after 24 hours the key is free again and the request runs as new.

A key whose request never finished (its worker was killed), or whose answer or release could not be
written (the database went away), stays in flight, refused with 409, until its 24 hours are over: daas
cannot know what the request did; check, then send a new key. The header is in the OpenAPI document of
every operation that takes it (`IdempotencyKeyDocumentation`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from copy import deepcopy
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin
from flask import Response, current_app, make_response, request
from sqlalchemy.exc import IntegrityError

from daas.api import errors
from daas.api.access import current_principal
from daas.core.errors import DomainError, Invalid
from daas.idempotency.rules import (
    KEY_FIELD,
    KEY_MESSAGE,
    KEY_PATTERN,
    MAX_KEY_LENGTH,
    fingerprint,
    key_problem,
)
from daas.idempotency.services import Replay
from daas.usecases.idempotency import Claim, claim_key, finish_key, release_key, work_committed

log = logging.getLogger(__name__)

HEADER = KEY_FIELD
REPLAYED_HEADER = "Idempotent-Replayed"
# The mark `idempotent` leaves on an operation's document, replaced by the header's parameter.
_MARK = "x-daas-idempotency-key"
_PARAMETER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Makes a retry safe: the same key with the same request within 24 hours answers what "
    "the first answered (status and body, with `Idempotent-Replayed: true`) and does nothing again; the "
    "same key with another request is a 422, and while the first is still running a 409. Keys are per "
    f"user. {KEY_MESSAGE}",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": f"^{KEY_PATTERN.pattern}$",
    },
    "example": "7f9c2ba4-e88f-4c3a-9a1c-5d6e8b0f1a2b",
}


def idempotent(blp: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let the view take an `Idempotency-Key` (see the module's docstring); goes under `access`."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            keys = request.headers.getlist(HEADER)
            if not keys:
                return view(*args, **kwargs)
            problem = KEY_MESSAGE if len(keys) > 1 else key_problem(keys[0])
            if problem is not None:
                raise Invalid(f"{HEADER}: {problem}", errors={HEADER: [problem]})
            outcome = claim_key(_owner(), keys[0], _fingerprint())
            if isinstance(outcome, Replay):
                return _replayed(outcome)
            return _run(outcome, view, args, kwargs)

        wrapper = blp.doc(**{_MARK: True})(wrapper)
        wrapper = blp.alt_response(409, response=HTTPStatus(409).name)(wrapper)
        return blp.alt_response(422, response=HTTPStatus(422).name)(wrapper)

    return decorator


def _owner() -> str:
    return f"user:{current_principal().user_id}"


def _fingerprint() -> Any:
    query = request.query_string.decode("latin-1")
    path = f"{request.path}?{query}" if query else request.path
    return fingerprint(request.method, path, request.get_data(cache=True))


def _replayed(replay: Replay) -> Response:
    response = current_app.response_class(replay.body, status=replay.status_code, mimetype="application/json")
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _run(claim: Claim, view: Callable[..., Any], args: Any, kwargs: Any) -> Response:
    """Run the view under the claimed key; keep its answer or let the key go."""
    try:
        response = make_response(view(*args, **kwargs))
    except DomainError as error:  # the endpoint's own answer
        response = errors.handle_domain_error(error)
    except IntegrityError as error:  # a constraint caught a race: the endpoint's answer too
        response = errors.handle_integrity_error(error)
    except Exception as error:  # refused before it ran (parser, schema), or failed unexpectedly
        if not work_committed(claim):
            _release(claim)
            raise
        response = errors.handle_unexpected(error)
    if response.status_code >= 500 and not work_committed(claim):
        _release(claim)
        return response
    try:
        finish_key(claim, response.status_code, response.get_data(as_text=True))
    except Exception:  # the answer stands; the key stays in flight (409) until it expires
        log.exception("Could not keep the answer for an Idempotency-Key")
    return response


def _release(claim: Claim) -> None:
    """Let the key go; if even that fails (the database is gone), the key stays in flight until it
    expires, and the request's own error is the one to answer."""
    try:
        release_key(claim)
    except Exception:
        log.exception("Could not let an Idempotency-Key go")


class IdempotencyKeyDocumentation(BasePlugin):
    """Documents the header on every operation `idempotent` marked (an apispec plugin: flask-smorest's
    `doc` would replace the operation's other parameters rather than add to them)."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            if operation.pop(_MARK, False):
                operation.setdefault("parameters", []).append(deepcopy(_PARAMETER_DOC))
