"""Domain errors: the vocabulary every rule uses to say no.

Services raise `NotFound`, `Invalid`, `Conflict`, `Forbidden` or `Unauthorized` with a message and, where a
field is at fault, `errors` keyed by field name. They know nothing of HTTP beyond the status each one
stands for; `daas.api.errors` turns them into responses.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain said no. `errors` maps a field name to its messages."""

    status_code = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class BadRequest(DomainError):
    """A request that cannot be read or trusted at all (a bad webhook signature): 400."""

    status_code = 400


class Invalid(DomainError):
    """The input breaks a rule (unknown reference, bad combination of fields): 422."""

    status_code = 422

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls(f"{field}: {message}", errors={field: [message]})


class RefusedRows(Invalid):
    """Rows of an uploaded file break rules (422): `report` is what the file would have done, row by row,
    and the answer carries it beside the usual error fields, so the sender can mend every row at once."""

    def __init__(self, message: str, errors: dict[str, Any], report: dict[str, Any]) -> None:
        super().__init__(message, errors)
        self.report = report


class NotFound(DomainError):
    """No such object, or one the caller may not know exists: 404."""

    status_code = 404


class Conflict(DomainError):
    """A duplicate key or an illegal state transition: 409."""

    status_code = 409


class Forbidden(DomainError):
    """Signed in, but the role may not do this: 403."""

    status_code = 403


class Unauthorized(DomainError):
    """No valid credentials: 401."""

    status_code = 401
