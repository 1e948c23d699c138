"""User and token payloads. A token's secret appears once, in the answer that creates it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from daas.api.fields import Int, Text
from daas.auth.models import ROLES


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    customer_id = Int(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    password = fields.String(load_only=True, validate=validate.Length(min=10, max=200))


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    customer_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()


class TokenCreateSchema(Schema):
    name = Text(required=True, max_length=100)


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "The token's first characters, to tell tokens apart."})
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
