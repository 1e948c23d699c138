"""INTERFACE (replaced by the e-mail work): an event's e-mails, one per recipient, rendered."""

from __future__ import annotations

from daas.notifications.models import EmailMessage
from daas.notifications.policy import NotificationSettings
from daas.outbox.models import OutboxEvent


def email_messages_for(event: OutboxEvent, settings: NotificationSettings) -> list[EmailMessage]:
    """The e-mails of `event` (not added to the session: dispatch adds them), one per recipient address:
    status pending, next_attempt_at now, subject and both bodies rendered in the recipient's language."""
    return []
