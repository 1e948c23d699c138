"""Admin pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from daas.web.pages import add_navigation, audience
from daas.web.security import secure_page

blp = Blueprint("admin", __name__, url_prefix="/admin")
blp.after_request(secure_page)
add_navigation("admin", ("admin.home", "Overview"))


@blp.get("")
@audience("admin")
def home() -> Any:
    return render_template("admin/home.html")
