"""Sending e-mails: `prepare_email` reads one and its attachments (the issued files, as kept) while a
transaction is open; `send_emails` builds a batch's MIME messages and hands them to the SMTP server, over
a few connections at once, with none open.

The message is multipart/alternative (plain text, then HTML) inside multipart/mixed when files are
attached. Its Message-ID is made of the e-mail's and the event's ids, so a retry or an admin's resend
carries the same one and a mail client shows it once. A server that cannot be reached, refuses the login
or the message, or times out is that e-mail's failure: it is retried on the e-mail schedule. With the
`catch` backend nothing leaves the machine and the e-mail counts as sent (`make run`, the demo).
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


# Connections one sender opens to the SMTP server at once (each sends its share of a batch in order).
SMTP_CONNECTIONS = 4


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


def send_emails(
    outgoings: Sequence[OutgoingEmail], mail: MailSettings, deadline: float
) -> dict[int, str | None]:
    """Hand a batch to the SMTP server over up to SMTP_CONNECTIONS connections at once: message id ->
    None when accepted, else why not. Stops at `deadline` (time.monotonic()); the messages not tried by
    then are left out of the answer, so their claims run out and they are sent later."""
    if mail.backend == CATCH:
        return {outgoing.message_id: None for outgoing in outgoings}
    shares = [list(outgoings[n::SMTP_CONNECTIONS]) for n in range(SMTP_CONNECTIONS)]
    outcomes: dict[int, str | None] = {}
    with ThreadPoolExecutor(max_workers=SMTP_CONNECTIONS, thread_name_prefix="smtp") as pool:
        for share in pool.map(lambda share: _send_over_one_connection(share, mail, deadline), shares):
            outcomes.update(share)
    return outcomes


def _send_over_one_connection(
    outgoings: Sequence[OutgoingEmail], mail: MailSettings, deadline: float
) -> dict[int, str | None]:
    """One share of a batch, in order, over one connection (opened again once if the server drops it)."""
    outcomes: dict[int, str | None] = {}
    if not outgoings:
        return outcomes
    connection: smtplib.SMTP | None = None
    try:
        for outgoing in outgoings:
            if time.monotonic() > deadline:
                break
            message = build_message(outgoing, mail)
            for retry in (False, True):
                try:
                    if connection is None:
                        connection = _logged_in(mail)
                    connection.send_message(message, to_addrs=[outgoing.to_address])
                    outcomes[outgoing.message_id] = None
                    break
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
                    _close(connection)
                    connection = None
                    if retry:
                        outcomes[outgoing.message_id] = f"{type(error).__name__}: {error}"
                except smtplib.SMTPException as error:  # this message refused; the connection stands
                    outcomes[outgoing.message_id] = f"{type(error).__name__}: {error}"
                    break
    finally:
        _close(connection)
    return outcomes


def _logged_in(mail: MailSettings) -> smtplib.SMTP:
    """A connection, logged in when a user is set (closed again if the login is refused)."""
    connection = _connect(mail)
    if mail.username:
        try:
            connection.login(mail.username, mail.password)
        except BaseException:
            _close(connection)
            raise
    return connection


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
