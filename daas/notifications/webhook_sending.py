"""INTERFACE (replaced by the webhook work): a delivery's signed POST and what came back."""

from __future__ import annotations

from dataclasses import dataclass

from daas.notifications.policy import NotificationSettings, WebhookSettings


@dataclass(frozen=True)
class OutgoingWebhook:
    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    ok: bool
    status_code: int | None
    excerpt: str | None
    error: str | None
    duration_ms: int

    def describe(self) -> str:
        return self.error or f"HTTP {self.status_code}"


def prepare_delivery(delivery_id: int) -> OutgoingWebhook:
    raise NotImplementedError


def post_webhook(outgoing: OutgoingWebhook, settings: WebhookSettings) -> Answer:
    raise NotImplementedError


def record_answer(delivery_id: int, owner: str, answer: Answer, settings: NotificationSettings) -> bool:
    raise NotImplementedError
