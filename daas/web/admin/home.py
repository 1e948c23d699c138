"""The admin overview: how many customers, users by role, device models, plans and devices by status, and
a notice when the outbox gave up on e-mails, webhook deliveries or events."""

from __future__ import annotations

from typing import Any

from flask import render_template

from daas.auth.roles import ADMIN
from daas.notifications.outbox_views import outbox_summary
from daas.web.admin import blp, queries
from daas.web.pages import audience


@blp.get("")
@audience(ADMIN)
def home() -> Any:
    return render_template("admin/home.html", counts=queries.overview_counts(), outbox=outbox_summary())
