"""Logistics pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from daas.web.pages import add_navigation, audience
from daas.web.security import secure_page

blp = Blueprint("logistics", __name__, url_prefix="/logistics")
blp.after_request(secure_page)
add_navigation("logistics", ("logistics.home", "Overview"))


@blp.get("")
@audience("logistics")
def home() -> Any:
    return render_template("logistics/home.html")
