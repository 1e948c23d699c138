"""Users and their API tokens: the list, adding a user (staff or of a customer), a user's page with its
tokens (create, revoke) and deactivating or reactivating the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from daas.auth import services as auth
from daas.auth.roles import ADMIN
from daas.customers import services as customer_services
from daas.customers.services import customer_names
from daas.usecases import auth as use_cases
from daas.web.admin import blp, form_page, queries
from daas.web.admin.forms import TokenForm, UserForm
from daas.web.pages import audience, carry_out, options, pager, principal

T = TypeVar("T")


@blp.get("/users")
@audience(ADMIN)
def users() -> Any:
    page = pager(25)
    rows, total = auth.list_users(page.offset, page.size)
    names = customer_names({user.customer_id for user in rows if user.customer_id})
    return render_template("admin/users.html", users=rows, names=names, pager=page.with_total(total))


@blp.route("/users/new", methods=["GET", "POST"])
@audience(ADMIN)
def users_new() -> Any:
    form = UserForm()
    form.customer_id.choices = options([("", "None (staff)"), *queries.customer_choices()])
    if request.method == "GET" and request.args.get("customer_id", "").isdigit():
        form.customer_id.data = int(request.args["customer_id"])
    if form.validate_on_submit():
        user = carry_out(
            form,
            lambda: use_cases.create_user(
                form.email.data, form.role.data, form.customer_id.data, form.password.data or None
            ),
            lambda u: (
                f"User {u.email} created with role {u.role}."
                + ("" if form.password.data else " Without a password it can only use API tokens.")
            ),
        )
        if user is not None:
            return redirect(url_for("admin.users_show", user_id=user.id))
    return form_page("admin/user_form.html", form=form)


@blp.get("/users/<int:user_id>")
@audience(ADMIN)
def users_show(user_id: int) -> Any:
    return _user_page(user_id, TokenForm())


@blp.post("/users/<int:user_id>/tokens")
@audience(ADMIN)
def users_tokens(user_id: int) -> Any:
    auth.get_user(user_id)  # 404 before anything else
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = carry_out(
            form,
            lambda: use_cases.issue_token(user_id, form.name.data),
            lambda result: f"Token {result[0].name} created. Copy it now: it is not shown again.",
        )
    if created is None:
        return _user_page(user_id, form), 422
    # The secret is shown in this answer only (never put in the session or a redirect) and never cached.
    response = current_app.make_response(_user_page(user_id, TokenForm(formdata=None), created[1]))
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@audience(ADMIN)
def users_revoke(user_id: int, token_id: int) -> Any:
    return _on_user_page(
        user_id,
        lambda: use_cases.revoke_token(user_id, token_id),
        lambda token: f"Token {token.name} ({token.prefix}…) revoked: it no longer works.",
    )


@blp.post("/users/<int:user_id>/deactivate")
@audience(ADMIN)
def users_deactivate(user_id: int) -> Any:
    return _on_user_page(
        user_id,
        lambda: use_cases.deactivate_user(user_id, principal().user_id),
        lambda user: f"{user.email} is deactivated: signed out everywhere, and no API token of theirs works.",
    )


@blp.post("/users/<int:user_id>/reactivate")
@audience(ADMIN)
def users_reactivate(user_id: int) -> Any:
    return _on_user_page(
        user_id,
        lambda: use_cases.reactivate_user(user_id),
        lambda user: f"{user.email} is active again: they may sign in and their unrevoked tokens work.",
    )


def _on_user_page(user_id: int, action: Callable[[], T], success: Callable[[T], str]) -> Response:
    """What a button on a user's page does (revoke a token, deactivate, reactivate): carry out its one use
    case, then back to the page, where its message (or the refusal) is shown."""
    carry_out(None, action, success)
    return redirect(url_for("admin.users_show", user_id=user_id))


def _user_page(user_id: int, form: TokenForm, new_token: str | None = None) -> str:
    user = auth.get_user(user_id)
    customer = customer_services.get_customer(user.customer_id) if user.customer_id else None
    return render_template(
        "admin/user.html", user=user, customer=customer, form=form, new_token=new_token, tokens=user.tokens
    )
