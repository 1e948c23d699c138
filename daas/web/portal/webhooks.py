"""Webhooks: the customer's endpoints, adding one (its signing secret shown once), an endpoint's page with
its deliveries and a Replay button for each, and disabling, enabling, deleting an endpoint or rotating its
secret (daas.web.webhooks, which admin's pages share)."""

from __future__ import annotations

from typing import Any

from daas.web.pages import add_navigation, audience
from daas.web.portal import blp
from daas.web.portal.common import customer_scope
from daas.web.webhooks import WebhookPages

add_navigation("customer", ("portal.webhooks", "Webhooks"))


def _pages() -> WebhookPages:
    return WebhookPages("portal", customer_scope())


@blp.get("/webhooks", endpoint="webhooks")
@audience("customer")
def webhooks_list() -> Any:
    return _pages().list_page()


@blp.post("/webhooks", endpoint="webhooks_create")
@audience("customer")
def webhooks_create() -> Any:
    return _pages().create()


@blp.get("/webhooks/<int:endpoint_id>", endpoint="webhooks_show")
@audience("customer")
def webhooks_show(endpoint_id: int) -> Any:
    return _pages().show(endpoint_id)


@blp.post("/webhooks/<int:endpoint_id>", endpoint="webhooks_edit")
@audience("customer")
def webhooks_edit(endpoint_id: int) -> Any:
    return _pages().edit(endpoint_id)


@blp.post("/webhooks/<int:endpoint_id>/enable", endpoint="webhooks_enable")
@audience("customer")
def webhooks_enable(endpoint_id: int) -> Any:
    return _pages().set_status(endpoint_id, "enabled")


@blp.post("/webhooks/<int:endpoint_id>/disable", endpoint="webhooks_disable")
@audience("customer")
def webhooks_disable(endpoint_id: int) -> Any:
    return _pages().set_status(endpoint_id, "disabled")


@blp.post("/webhooks/<int:endpoint_id>/rotate-secret", endpoint="webhooks_rotate")
@audience("customer")
def webhooks_rotate(endpoint_id: int) -> Any:
    return _pages().rotate(endpoint_id)


@blp.get("/webhooks/<int:endpoint_id>/delete", endpoint="webhooks_confirm_delete")
@audience("customer")
def webhooks_confirm_delete(endpoint_id: int) -> Any:
    return _pages().show(endpoint_id, confirm_delete=True)


@blp.post("/webhooks/<int:endpoint_id>/delete", endpoint="webhooks_delete")
@audience("customer")
def webhooks_delete(endpoint_id: int) -> Any:
    return _pages().delete(endpoint_id)


@blp.post("/webhook-deliveries/<int:delivery_id>/replay", endpoint="webhooks_replay")
@audience("customer")
def webhooks_replay(delivery_id: int) -> Any:
    return _pages().replay(delivery_id)
