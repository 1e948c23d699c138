"""Finance pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from daas.web.pages import add_navigation, audience
from daas.web.security import secure_page

blp = Blueprint("finance", __name__, url_prefix="/finance")
blp.after_request(secure_page)
add_navigation("finance", ("finance.home", "Overview"))


@blp.get("")
@audience("finance")
def home() -> Any:
    return render_template("finance/home.html")
