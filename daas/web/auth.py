"""Sign-in and sign-out with e-mail and password; each role lands on its own home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from daas.auth.principal import Principal
from daas.auth.services import authenticate_password, get_user
from daas.errors import NotFound
from daas.extensions import login_manager
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


def home_for(principal: Principal) -> str:
    if principal.role == "customer":
        return url_for("portal.home")
    return url_for("api_docs.docs_page")


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
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
