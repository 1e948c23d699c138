"""The admin overview: how many customers, users by role, device models, plans and devices by status."""

from __future__ import annotations

from typing import Any

from flask import render_template

from daas.auth.roles import ADMIN
from daas.web.admin import blp, queries
from daas.web.pages import audience


@blp.get("")
@audience(ADMIN)
def home() -> Any:
    return render_template("admin/home.html", counts=queries.overview_counts())
