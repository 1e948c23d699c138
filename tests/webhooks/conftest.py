"""A real receiver for webhook tests: `http.server.ThreadingHTTPServer` on 127.0.0.1 and a free port, in
a thread, recording every request (method, path, headers, raw body) and answering what the test sets
(200 by default, per path if need be, after a delay if asked); the same server over TLS with a
certificate made for `localhost`; and the settings and data the tests share."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from daas.notifications.policy import NotificationSettings
from daas.outbox.event_types import EVENT_TYPES
from daas.settings import current_settings


class Receiving(ThreadingHTTPServer):
    """A receiver that queues the connections of several senders at once (the default backlog, 5, drops
    the rest, and their senders wait a second to try again)."""

    request_queue_size = 128


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server got, and what it answers: `status` (or `statuses[path]`), after `delay` seconds;
    a 3xx carries `Location: <its own URL>/elsewhere`."""

    scheme: str = "http"
    host: str = "127.0.0.1"
    port: int = 0
    status: int = 200
    statuses: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [request for request in self.received if request.path == path]

    def answer_for(self, path: str) -> int:
        return self.statuses.get(path, self.status)


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _answer(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with receiver.lock:
            receiver.received.append(Received(self.command, self.path, dict(self.headers.items()), body))
        if receiver.delay:
            time.sleep(receiver.delay)
        status = receiver.answer_for(self.path)
        payload = b'{"received": true}' if status < 300 else f"answered {status}".encode()
        try:
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.url("/elsewhere"))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the sender gave up (its timeout) before the answer
            pass

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:  # a followed redirect would come as a GET
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(context: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 and a free port, over TLS with `context`; stopped afterwards."""
    server = Receiving(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    receiver = Receiver(scheme="https" if context else "http", port=server.server_address[1])
    server.receiver = receiver  # type: ignore[attr-defined]
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving() as running:
        yield running


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def localhost_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for the name `localhost` only (no IP address in it), made by openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    made = Certificate(folder / "cert.pem", folder / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(made.key),
            "-out",
            str(made.cert),
        ],
        check=True,
        capture_output=True,
    )
    return made


@pytest.fixture
def tls_receiver(localhost_certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The receiver over TLS, its certificate the only one daas trusts (SSL_CERT_FILE, which the default
    TLS context reads when it is made)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(localhost_certificate.cert, localhost_certificate.key)
    monkeypatch.setenv("SSL_CERT_FILE", str(localhost_certificate.cert))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with serving(context) as running:
        yield running


# -- settings and data -------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(app: Any) -> NotificationSettings:
    """The test settings: 127.0.0.0/8 and ::1 allowed (TestingConfig), the default schedules."""
    with app.app_context():
        return current_settings().notifications


def with_networks(settings: NotificationSettings, *networks: Any, **webhooks: Any) -> NotificationSettings:
    """`settings` with these allowed networks (none: only public addresses) and other webhook settings."""
    webhook_settings = replace(settings.webhooks, allowed_networks=tuple(networks), **webhooks)
    return replace(settings, webhooks=webhook_settings)


def sample_data(type_name: str) -> dict[str, Any]:
    """A value for every field the event type carries, of the kind the field holds."""
    data: dict[str, Any] = {}
    for name in EVENT_TYPES[type_name].fields:
        if name == "serials":
            data[name] = ["SN-1001", "SN-1002"]
        elif name.endswith("_id") or name in ("attempt", "days_overdue", "days_left"):
            data[name] = 7
        elif name in ("total", "amount", "amount_due"):
            data[name] = Decimal("119.00")
        elif name.endswith(("_date", "_on")):
            data[name] = date(2026, 11, 20)
        elif name.endswith("_at"):
            data[name] = datetime(2026, 11, 15, 12, 30, tzinfo=UTC)
        elif name == "auto_renew":
            data[name] = True
        elif name == "currency":
            data[name] = "EUR"
        else:
            data[name] = f"{name} of {type_name} (€, ünïcode)"
    return data
