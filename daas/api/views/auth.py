"""REST: /api/v1/me, /api/v1/users and their tokens."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import EVERYONE, access, current_principal
from daas.api.base import Blueprint, page_window
from daas.auth import services
from daas.schemas.auth import (
    NewTokenSchema,
    PrincipalSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from daas.usecases import auth as use_cases

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users, roles and API tokens")


@blp.route("/me")
class Me(MethodView):
    @access(blp, *EVERYONE)
    @blp.response(200, PrincipalSchema)
    def get(self) -> Any:
        """Who the token belongs to."""
        return current_principal()


@blp.route("/users")
class Users(MethodView):
    @access(blp)
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List users."""
        rows, pagination_parameters.item_count = services.list_users(*page_window(pagination_parameters))
        return rows

    @access(blp)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a user with one role (a customer user names its customer)."""
        return use_cases.create_user(
            data["email"],
            data["role"],
            data.get("customer_id"),
            data.get("password"),
            can_approve=data["can_approve"],
        )


@blp.route("/users/<id:user_id>")
class UserById(MethodView):
    @access(blp)
    @blp.arguments(UserUpdateSchema(partial=True))
    @blp.response(200, UserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict[str, Any], user_id: int) -> Any:
        """Make a customer user an approver or not (`can_approve`), or deactivate or reactivate a user
        (`active`; an admin cannot deactivate themselves: 409)."""
        return use_cases.change_user(user_id, data, current_principal().user_id)


@blp.route("/users/<id:user_id>/tokens")
class UserTokens(MethodView):
    @access(blp)
    @blp.response(200, TokenSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int) -> Any:
        """List a user's tokens (never their secrets)."""
        return services.get_user(user_id).tokens

    @access(blp)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], user_id: int) -> Any:
        """Issue a token; the answer carries the secret, once."""
        record, token = use_cases.issue_token(user_id, data["name"], scope=data["scope"])
        fields = ("id", "name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
        return {**{name: getattr(record, name) for name in fields}, "token": token}


@blp.route("/users/<id:user_id>/tokens/<id:token_id>/revoke")
class TokenRevocation(MethodView):
    @access(blp)
    @blp.response(200, TokenSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, user_id: int, token_id: int) -> Any:
        """Revoke a token: it stops working at once."""
        return use_cases.revoke_token(user_id, token_id)
