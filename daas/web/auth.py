"""Sign-in and sign-out with e-mail and password; each role lands on its own home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from daas.auth.principal import Principal
from daas.auth.services import authenticate_password, get_user
from daas.errors import NotFound
from daas.extensions import limiter, login_manager
from daas.web.security import secure_page

blp = Blueprint("auth", __name__)
blp.after_request(secure_page)


@dataclass(frozen=True)
class WebUser(UserMixin):
    """The signed-in person, as Flask-Login needs it."""

    principal: Principal

    def get_id(self) -> str:
        return str(self.principal.user_id)


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    try:
        user = get_user(int(user_id))
    except (NotFound, ValueError):
        return None
    if not user.active:
        return None
    return WebUser(Principal(user.id, user.email, user.role, user.customer_id))


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


HOMES = {
    "customer": "portal.home",
    "finance": "finance.home",
    "logistics": "logistics.home",
    "admin": "admin.home",
}


def home_for(principal: Principal) -> str:
    """Each role lands on its own home."""
    return url_for(HOMES[principal.role])


def _address_and_email() -> str:
    """Counts sign-in attempts per address and e-mail, so guessing one account's password is slow."""
    return f"{get_remote_address()}/{(request.form.get('email') or '').strip().lower()[:254]}"


@blp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["DAAS_LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_address_and_email
)
@limiter.limit(lambda: current_app.config["DAAS_LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user.principal))
    form = LoginForm()
    if form.validate_on_submit():
        principal = authenticate_password(form.email.data or "", form.password.data or "")
        if principal is not None:
            login_user(WebUser(principal))
            return redirect(home_for(principal))
        form.password.errors.append("The e-mail or the password is not right.")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@blp.post("/logout")
@login_required
def logout() -> Any:
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))


@blp.get("/")
def home() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(current_user.principal))
    return redirect(url_for("auth.login"))
