"""Webhooks: the provider's own endpoints (they hear of every event, staff ones too), adding one (its
signing secret shown once), an endpoint's page with its deliveries and a Replay button for each, and
disabling, enabling, deleting an endpoint or rotating its secret (daas.web.webhooks, which the portal
shares). Customers' endpoints are theirs to manage: admin reaches them through the API."""

from __future__ import annotations

from typing import Any

from daas.auth.roles import ADMIN
from daas.web.admin import blp
from daas.web.pages import add_navigation, audience
from daas.web.webhooks import WebhookPages

add_navigation(ADMIN, ("admin.webhooks", "Webhooks"))


def _pages() -> WebhookPages:
    return WebhookPages("admin", None)


@blp.get("/webhooks", endpoint="webhooks")
@audience(ADMIN)
def webhooks_list() -> Any:
    return _pages().list_page()


@blp.post("/webhooks", endpoint="webhooks_create")
@audience(ADMIN)
def webhooks_create() -> Any:
    return _pages().create()


@blp.get("/webhooks/<int:endpoint_id>", endpoint="webhooks_show")
@audience(ADMIN)
def webhooks_show(endpoint_id: int) -> Any:
    return _pages().show(endpoint_id)


@blp.post("/webhooks/<int:endpoint_id>", endpoint="webhooks_edit")
@audience(ADMIN)
def webhooks_edit(endpoint_id: int) -> Any:
    return _pages().edit(endpoint_id)


@blp.post("/webhooks/<int:endpoint_id>/enable", endpoint="webhooks_enable")
@audience(ADMIN)
def webhooks_enable(endpoint_id: int) -> Any:
    return _pages().set_status(endpoint_id, "enabled")


@blp.post("/webhooks/<int:endpoint_id>/disable", endpoint="webhooks_disable")
@audience(ADMIN)
def webhooks_disable(endpoint_id: int) -> Any:
    return _pages().set_status(endpoint_id, "disabled")


@blp.post("/webhooks/<int:endpoint_id>/rotate-secret", endpoint="webhooks_rotate")
@audience(ADMIN)
def webhooks_rotate(endpoint_id: int) -> Any:
    return _pages().rotate(endpoint_id)


@blp.get("/webhooks/<int:endpoint_id>/delete", endpoint="webhooks_confirm_delete")
@audience(ADMIN)
def webhooks_confirm_delete(endpoint_id: int) -> Any:
    return _pages().show(endpoint_id, confirm_delete=True)


@blp.post("/webhooks/<int:endpoint_id>/delete", endpoint="webhooks_delete")
@audience(ADMIN)
def webhooks_delete(endpoint_id: int) -> Any:
    return _pages().delete(endpoint_id)


@blp.post("/webhook-deliveries/<int:delivery_id>/replay", endpoint="webhooks_replay")
@audience(ADMIN)
def webhooks_replay(delivery_id: int) -> Any:
    return _pages().replay(delivery_id)
