"""User and token payloads. A token's secret appears once, in the answer that creates it."""

from __future__ import annotations

from collections.abc import Callable

from marshmallow import Schema, ValidationError, fields, validate

from daas.auth.models import API_SCOPE, ROLES, TOKEN_SCOPES
from daas.auth.rules import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    email_problem,
    normalize_email,
    password_problem,
)
from daas.schemas.fields import Bool, Int, Text


def _rule(problem_of: Callable[[str], str | None]) -> Callable[[str], None]:
    """A marshmallow validator from one of `daas.auth.rules`, so the API says what the CLI and pages say."""

    def check(value: str) -> None:
        problem = problem_of(value)
        if problem is not None:
            raise ValidationError(problem)

    return check


class UserCreateSchema(Schema):
    email = fields.String(
        required=True,
        validate=_rule(lambda value: email_problem(normalize_email(value))),
        metadata={"format": "email", "maxLength": MAX_EMAIL_LENGTH},
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES), metadata={"title": "Role"})
    customer_id = Int(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    password = fields.String(
        load_only=True,
        validate=_rule(password_problem),
        metadata={"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH},
    )
    can_approve = Bool(
        load_default=False,
        metadata={"description": "A customer user who approves orders over an allowance (staff: 422)."},
    )


class UserUpdateSchema(Schema):
    can_approve = Bool(metadata={"description": "Customer users only: true on a staff user is a 422."})
    active = Bool(
        metadata={"description": "false: no sign-in or token works and every session ends; true: again."}
    )


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    customer_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    can_approve = fields.Boolean()
    created_at = fields.DateTime()


class TokenCreateSchema(Schema):
    name = Text(required=True, max_length=100)
    scope = fields.String(
        load_default=API_SCOPE,
        validate=validate.OneOf(TOKEN_SCOPES),
        metadata={
            "title": "TokenScope",
            "description": "api: the API of the user's role; calendar: only the calendar feed.",
        },
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "The token's first characters, to tell tokens apart."})
    scope = fields.String(metadata={"description": "What it opens: api, or calendar (just the feed)."})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "The secret: shown this once, stored only as a hash."})


class PrincipalSchema(Schema):
    user_id = fields.Integer()
    email = fields.String()
    role = fields.String()
    customer_id = fields.Integer(allow_none=True)
    can_approve = fields.Boolean(metadata={"description": "A customer user who approves orders."})
