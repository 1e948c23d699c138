"""A real SMTP server for the e-mail tests (aiosmtpd on 127.0.0.1 and a free port, in its own thread),
which keeps every message it accepts parsed from the bytes that arrived, and the notification settings that
send to it."""

from __future__ import annotations

import dataclasses
import email
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from daas.notifications.policy import MailSettings, NotificationSettings
from daas.settings import current_settings

PASSWORD = "relay-password-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """The aiosmtpd handler: what arrived (parsed), who it was sent to, and the logins tried."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        raw = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(raw, policy=default_policy))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=password == PASSWORD, handled=False)  # a failure answers 535


class SmtpServer:
    """One server on one port that a test may stop (the port is then closed) and start again."""

    def __init__(self, **controller_options: Any) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.options = controller_options
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    @property
    def logins(self) -> list[tuple[str, str]]:
        return self.inbox.logins

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose To is `address`, in the order they arrived."""
        return [message for message in self.messages if message["To"] == address]

    def start(self) -> None:
        self.controller = Controller(
            self.inbox,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.inbox.authenticate,
            auth_require_tls=False,
            **self.options,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def sending_to(server: SmtpServer, **mail: Any) -> NotificationSettings:
    """The testing installation's notification settings, with e-mails sent to `server`."""
    return dataclasses.replace(
        current_settings().notifications,
        mail=MailSettings(backend="smtp", host="127.0.0.1", port=server.port, timeout_seconds=10, **mail),
    )


@pytest.fixture
def mail_settings(app: Any, smtp_server: SmtpServer) -> NotificationSettings:
    with app.app_context():
        return sending_to(smtp_server)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (its file, its key's), made with openssl."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    request = [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
    ]
    subprocess.run(
        [*request, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context
