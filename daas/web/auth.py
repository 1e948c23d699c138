"""Sign-in and sign-out with e-mail and password; each role lands on its own home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from daas.auth.principal import Principal
from daas.auth.roles import ADMIN, CUSTOMER, FINANCE, LOGISTICS
from daas.auth.services import get_user
from daas.auth.sign_in import LockedOut
from daas.core.errors import NotFound, Unauthorized
from daas.extensions import limiter, login_manager
from daas.settings import current_settings
from daas.usecases.auth import sign_in, sign_out
from daas.web.security import secure_page

blp = Blueprint("auth", __name__)
blp.after_request(secure_page)


@dataclass(frozen=True)
class WebUser(UserMixin):
    """The signed-in person, as Flask-Login needs it."""

    principal: Principal
    session_version: int

    def get_id(self) -> str:
        """What the session cookie carries: the user and the session version signed in with, so that
        raising the version (sign-out, new password, deactivation) turns every older cookie away."""
        return f"{self.principal.user_id}:{self.session_version}"


@login_manager.user_loader
def load_user(session_id: str) -> WebUser | None:
    user_id, _, version = session_id.partition(":")
    try:
        user = get_user(int(user_id))
    except (NotFound, ValueError):
        return None
    if not user.active or not version.isdigit() or int(version) != user.session_version:
        return None
    return WebUser(
        Principal(user.id, user.email, user.role, user.customer_id, user.can_approve), user.session_version
    )


class LoginForm(FlaskForm):
    # No e-mail check here: an address is checked once, when its user is made (daas.auth.rules), and any
    # address a user has must be accepted here. EmailField only picks the keyboard.
    email = EmailField("E-mail", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


HOMES = {
    CUSTOMER: "portal.home",
    FINANCE: "finance.home",
    LOGISTICS: "logistics.home",
    ADMIN: "admin.home",
}


def home_for(principal: Principal) -> str:
    """Each role lands on its own home."""
    return url_for(HOMES[principal.role])


def _address_and_email() -> str:
    """Counts sign-in attempts per address and e-mail, so guessing one account's password is slow."""
    return f"{get_remote_address()}/{(request.form.get('email') or '').strip().lower()[:254]}"


@blp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_settings().login.rate_limit, methods=["POST"], key_func=_address_and_email)
@limiter.limit(lambda: current_settings().login.rate_limit_per_address, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user.principal))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            signed_in = sign_in(
                form.email.data or "", form.password.data or "", current_settings().login.lockout
            )
        except (Unauthorized, LockedOut) as refused:
            form.password.errors = [*form.password.errors, refused.message]
            status = refused.status_code
        else:
            login_user(WebUser(signed_in.principal, signed_in.session_version))
            return redirect(home_for(signed_in.principal))
    elif form.errors:
        status = 401
    return render_template("auth/login.html", form=form), status


@blp.post("/logout")
@login_required
def logout() -> Any:
    """Signing out ends every session of the person (this browser's and any copy of its cookie)."""
    sign_out(current_user.principal.user_id)
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


@blp.get("/")
def home() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.principal))
    return redirect(url_for("auth.login"))
