"""Sending one e-mail: `prepare_email` reads it and its attachments (the issued files, as kept) while a
transaction is open; `send_email` builds the MIME message and hands it to the SMTP server with none open.

The message is multipart/alternative (plain text, then HTML) inside multipart/mixed when files are
attached. Its Message-ID is made of the e-mail's and the event's ids, so a retry or an admin's resend
carries the same one and a mail client shows it once. A server that cannot be reached, refuses the login
or the message, or times out raises `SendFailed`: the e-mail is retried on the e-mail schedule. With the
`catch` backend nothing leaves the machine and the e-mail counts as sent (`make run`, the demo).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import select

from daas.billing.issuing import CII, PDF, UBL
from daas.billing.models import CreditNote, Invoice, IssuedDocument
from daas.core import clock
from daas.core.errors import NotFound
from daas.downloads import PDF_MIMETYPE, XML_MIMETYPE
from daas.extensions import db
from daas.notifications.models import EmailMessage
from daas.notifications.policy import CATCH, MailSettings
from daas.outbox.models import OutboxEvent

# How an issued file is named when attached: the document's number, and for XML its syntax.
_FILE_NAMES = {
    PDF: ("{number}.pdf", PDF_MIMETYPE),
    UBL: ("{number}-ubl.xml", XML_MIMETYPE),
    CII: ("{number}-cii.xml", XML_MIMETYPE),
}


class SendFailed(Exception):
    """The server refused or could not be reached: retried on the e-mail schedule."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """Everything sending needs, read before the server is called (no session is used while it answers)."""

    message_id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    language: str
    event_id: str
    date: datetime
    attachments: tuple[Attachment, ...] = ()


def _attachments(document_ids: list[int]) -> tuple[Attachment, ...]:
    """The issued files, in the order the event names them, each under its document's number."""
    if not document_ids:
        return ()
    rows = db.session.execute(
        select(IssuedDocument, Invoice.number, CreditNote.number)
        .outerjoin(Invoice, Invoice.id == IssuedDocument.invoice_id)
        .outerjoin(CreditNote, CreditNote.id == IssuedDocument.credit_note_id)
        .where(IssuedDocument.id.in_(document_ids))
    ).all()
    found = {document.id: (document, invoice or note) for document, invoice, note in rows}
    attachments = []
    for document_id in document_ids:
        if document_id not in found:
            raise NotFound(f"No issued document {document_id} to attach.")
        document, number = found[document_id]
        name, mimetype = _FILE_NAMES[document.format]
        attachments.append(Attachment(name.format(number=number), mimetype, bytes(document.content)))
    return tuple(attachments)


def prepare_email(message_id: int) -> OutgoingEmail:
    """The e-mail `message_id` as it will be sent, with its attachments' bytes."""
    message = db.session.get(EmailMessage, message_id)
    if message is None:
        raise NotFound(f"No e-mail {message_id}.")
    event = db.session.get(OutboxEvent, message.event_id)
    return OutgoingEmail(
        message_id=message.id,
        to_address=message.to_address,
        subject=message.subject,
        text_body=message.text_body,
        html_body=message.html_body,
        language=message.language,
        event_id=event.event_id,
        date=clock.now(),
        attachments=_attachments(list(message.attachments or ())),
    )


def message_id_header(outgoing: OutgoingEmail, sender: str) -> str:
    """`<evt_...-42@daas.example>`: the same for every attempt and resend of one e-mail."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "daas.invalid"
    return f"<{outgoing.event_id}-{outgoing.message_id}@{domain}>"


def build_message(outgoing: OutgoingEmail, mail: MailSettings) -> MimeMessage:
    message = MimeMessage()
    message["From"] = mail.sender
    message["To"] = outgoing.to_address
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(outgoing.date)
    message["Message-ID"] = message_id_header(outgoing, mail.sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders do not answer it
    message.set_content(outgoing.text_body, cte="quoted-printable")
    message.add_alternative(outgoing.html_body, subtype="html", cte="quoted-printable")
    for attachment in outgoing.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    # Last: making the message multipart moves the Content-* headers set before into its first part.
    message["Content-Language"] = outgoing.language
    return message


def _connect(mail: MailSettings) -> smtplib.SMTP:
    if mail.security == "ssl":
        return smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout_seconds, context=ssl.create_default_context()
        )
    connection = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds)
    if mail.security == "starttls":
        try:
            connection.starttls(context=ssl.create_default_context())
        except BaseException:
            connection.close()
            raise
    return connection


def send_email(outgoing: OutgoingEmail, mail: MailSettings) -> None:
    """Hand the e-mail to the SMTP server (none/starttls/ssl, a login when a user is set); SendFailed
    with the reason when it is not accepted. The `catch` backend sends nothing."""
    message = build_message(outgoing, mail)
    if mail.backend == CATCH:
        return
    try:
        with _connect(mail) as connection:
            if mail.username:
                connection.login(mail.username, mail.password)
            connection.send_message(message, to_addrs=[outgoing.to_address])
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(f"{type(error).__name__}: {error}") from error
