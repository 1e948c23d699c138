"""Deliveries per second through a real SMTP server and a real webhook receiver, both on loopback.

    .venv/bin/python bench/notifications.py [--database-url URL] [--events 2000] [--processes 1]

Records `--events` overdue reminders of one customer (each one e-mail to its billing address and one signed
webhook to the provider's endpoint), commits them, then times the delivery: the fan-out of the events into
e-mails and deliveries, then sending every one of them, through `deliver_notifications` in this process or,
with `--processes 2`, through that many `flask daas notifications deliver` processes at once (they share
the work through their claims). The SMTP server is aiosmtpd and the receiver a ThreadingHTTPServer that
checks each signature; both count what arrived, and the run fails if anything is missing or repeated.
Prints the rates and the peak memory of this process. Runs on a fresh SQLite file unless --database-url
names another database, which is dropped and created first (its name must contain "bench"). Never part
of the test pass/fail.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller
from common import fresh_database, say
from flask_migrate import upgrade
from sqlalchemy import func, select

from daas import create_app
from daas.customers.services import create_customer
from daas.extensions import db
from daas.notifications import signing
from daas.notifications.models import EmailMessage, WebhookDelivery, WebhookEndpoint
from daas.outbox.services import record_event
from daas.settings import current_settings
from daas.usecases.notifications import deliver_notifications

ROOT = Path(__file__).resolve().parent.parent
SECRET = signing.new_secret()


class Receiving(ThreadingHTTPServer):
    """A receiver that queues the connections of several senders at once (the default backlog, 5, drops
    the rest, and their senders wait a second to try again)."""

    request_queue_size = 128


def _free_port() -> int:
    """A port nobody listens on now (aiosmtpd's controller checks its server by connecting to its port,
    so it cannot be given port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Counted:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[str] = Counter()
        self.refused = 0

    def add(self, key: str, ok: bool = True) -> None:
        with self.lock:
            self.ids[key] += 1
            self.refused += not ok


def webhook_receiver(counted: Counted, secret: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = signing.verify(self.headers["Daas-Signature"], body, secret, now=int(time.time()))
            counted.add(json.loads(body)["id"], ok)
            self.send_response(200 if ok else 400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = Receiving(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Mailbox:
    def __init__(self, counted: Counted) -> None:
        self.counted = counted

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.counted.add(message_from_bytes(envelope.original_content)["Message-ID"])
        return "250 OK"


def serve(ports, stop, results, secret: str) -> None:
    """The child process: aiosmtpd and the webhook receiver until `stop`; then what each received."""
    hooks, mails = Counted(), Counted()
    receiver = webhook_receiver(hooks, secret)
    controller = Controller(Mailbox(mails), hostname="127.0.0.1", port=_free_port())
    controller.start()
    ports.put((controller.port, receiver.server_address[1]))
    stop.wait()
    controller.stop()
    receiver.shutdown()
    results.put((dict(hooks.ids), dict(mails.ids), hooks.refused))


def record(app, events: int, url: str) -> None:
    with app.app_context():
        customer = create_customer(
            {
                "name": "Bench Notifications B.V.",
                "country": "NL",
                "currency": "EUR",
                "billing_email": "ap@notifications.example",
                "billing_address": {"line1": "Herengracht 420", "postcode": "1017 BZ", "city": "Amsterdam"},
            }
        )
        db.session.add(
            WebhookEndpoint(
                customer_id=None,
                url=url,
                event_types=["*"],
                secret=SECRET,
                status="enabled",
                created_at=datetime.now(UTC),
            )
        )
        with click.progressbar(range(events), label="recording events", file=sys.stderr) as bar:
            for n in bar:
                record_event(
                    "invoice.overdue",
                    key=f"invoice:{n}:overdue:1",
                    customer_id=customer.id,
                    data={
                        "invoice_id": n,
                        "number": f"INV-2026-{n:06d}",
                        "currency": "EUR",
                        "amount_due": Decimal("47.19"),
                        "due_date": date(2026, 11, 30),
                        "days_overdue": 1,
                    },
                )
        db.session.commit()


def sent(app) -> int:
    with app.app_context():
        total = sum(
            db.session.scalar(select(func.count()).select_from(model).where(model.status == "sent")) or 0
            for model in (EmailMessage, WebhookDelivery)
        )
        db.session.remove()
        return total


def deliver_here(app, smtp_port: int, expected: int) -> float:
    with app.app_context():
        settings = current_settings().notifications
        settings = replace(settings, mail=replace(settings.mail, backend="smtp", port=smtp_port))
        start = time.perf_counter()
        with click.progressbar(length=expected, label="delivering", file=sys.stderr) as bar:
            while True:
                report = deliver_notifications("bench", settings, max_rounds=1)
                bar.update(report.emails_sent + report.webhooks_sent)
                if not report.worked:
                    break
        return time.perf_counter() - start


def deliver_in_processes(app, url: str, smtp_port: int, processes: int, expected: int) -> float:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DAAS_ENV": "testing",
        "DAAS_MAIL_BACKEND": "smtp",
        "DAAS_SMTP_HOST": "127.0.0.1",
        "DAAS_SMTP_PORT": str(smtp_port),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "daas", "notifications", "deliver"]
    start = time.perf_counter()
    running = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE) for _ in range(processes)]
    with click.progressbar(length=expected, label="delivering", file=sys.stderr) as bar:
        done = 0
        while any(process.poll() is None for process in running):
            time.sleep(0.2)
            now = sent(app)
            bar.update(now - done)
            done = now
    for process in running:
        if process.wait() != 0:
            raise SystemExit("a delivery process failed")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='daas-bench-')) / 'notify.sqlite3'}"
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    with app.app_context():
        upgrade()

    # The SMTP server and the receiver run in a process of their own, so they do not share this one's GIL.
    context = multiprocessing.get_context("spawn")
    ports, stop, results = context.Queue(), context.Event(), context.Queue()
    servers = context.Process(target=serve, args=(ports, stop, results, SECRET), daemon=True)
    servers.start()
    smtp_port, hooks_port = ports.get(timeout=60)
    record(app, args.events, f"http://127.0.0.1:{hooks_port}/hooks")

    expected = 2 * args.events
    where = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    say(
        f"{args.events} events -> {args.events} e-mails + {args.events} webhooks on {where}, "
        f"{args.processes} process(es)"
    )
    if args.processes == 1:
        seconds = deliver_here(app, smtp_port, expected)
    else:
        seconds = deliver_in_processes(app, url, smtp_port, args.processes, expected)
    stop.set()
    hooks, mails, refused = results.get(timeout=60)
    servers.join(30)

    missing = [name for name, ids in (("webhooks", hooks), ("e-mails", mails)) if len(ids) != args.events]
    repeated = sum(count - 1 for ids in (hooks, mails) for count in ids.values())
    if missing or refused:
        raise SystemExit(f"incomplete: {missing}, refused signatures {refused}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(
        f"delivered {expected} messages in {seconds:.1f} s: {expected / seconds:,.0f} deliveries/s "
        f"({args.events / seconds:,.0f} e-mails/s and as many webhooks/s); repeated {repeated}; "
        f"peak memory of this process {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
