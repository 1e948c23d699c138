"""An event's e-mails: one per recipient address (daas.notifications.recipients), each rendered when the
event is fanned out, in the recipients' language, so what admin sees is what was sent. The issued
documents an event names (an invoice's PDF and UBL) travel with every e-mail of it, read when it is sent.
"""

from __future__ import annotations

from email.utils import parseaddr

from daas.core import clock
from daas.notifications.models import PENDING, EmailMessage
from daas.notifications.policy import NotificationSettings
from daas.notifications.recipients import recipients_of
from daas.notifications.rendering import render_email
from daas.notifications.wording import compose
from daas.outbox.models import OutboxEvent

SUBJECT_MAX_LENGTH = 300  # email_messages.subject


def sender_name(sender: str) -> str:
    """The name in `daas <notifications@daas.example>` ("daas"), which signs the e-mails."""
    name, address = parseaddr(sender)
    return name or address.partition("@")[0] or "daas"


def _subject(subject: str) -> str:
    if len(subject) <= SUBJECT_MAX_LENGTH:
        return subject
    return subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"


def email_messages_for(event: OutboxEvent, settings: NotificationSettings) -> list[EmailMessage]:
    """The e-mails of `event` (not added to the session: dispatch adds them), one per recipient address:
    status pending, next_attempt_at now, subject and both bodies rendered in the recipients' language."""
    recipients = recipients_of(event, settings.mail)
    if not recipients.addresses:
        return []
    wording = compose(
        event.type,
        event.data,
        recipients.language,
        recipients.reader,
        sender_name=sender_name(settings.mail.sender),
        public_url=settings.public_url,
    )
    rendered = render_email(wording)
    now = clock.now()
    return [
        EmailMessage(
            event_id=event.id,
            customer_id=event.customer_id,
            to_address=address,
            language=recipients.language,
            subject=_subject(rendered.subject),
            text_body=rendered.text,
            html_body=rendered.html,
            attachments=list(event.documents or ()),
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for address in recipients.addresses
    ]
