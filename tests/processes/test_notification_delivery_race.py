"""Two real `flask daas scheduler` processes on PostgreSQL deliver 1,000 events, each as an e-mail to a
real SMTP server (aiosmtpd) and a signed webhook to a real HTTP receiver on loopback: every event arrives,
none is in two senders' hands at once (the receiver tracks each id in flight), none twice. A scheduler
killed mid-delivery leaves its claims to run out, and the other sends what they held: nothing is lost."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from config.jobs import JOBS
from daas.extensions import db
from daas.notifications import signing
from daas.notifications.models import EmailMessage, WebhookDelivery, WebhookEndpoint
from daas.outbox.services import record_event
from daas.scheduler.registry import schedule_setting
from tests import factories
from tests.notifications.conftest import free_port
from tests.processes import Commands, wait_until
from tests.webhooks.conftest import Receiving

pytestmark = pytest.mark.postgres

EVENTS = 1000
SECRET = "whsec_race_test_secret"
STARTUP = 120.0
DELIVERY = 300.0


class Receiver:
    """A webhook receiver that checks each signature, counts each event id, and notes any id that arrived
    while the same id was still being received (two senders at once)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.overlaps: list[str] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = json.loads(body)["id"]
                ok = signing.verify(self.headers["Daas-Signature"], body, SECRET, now=int(time.time()))
                with receiver.lock:
                    receiver.in_flight[event_id] += 1
                    if receiver.in_flight[event_id] > 1:
                        receiver.overlaps.append(event_id)
                    receiver.bad_signatures += not ok
                time.sleep(0.002)  # long enough for a second sender of the same id to be seen
                with receiver.lock:
                    receiver.in_flight[event_id] -= 1
                    receiver.received[event_id] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = Receiving(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def distinct(self) -> int:
        with self.lock:
            return len(self.received)


class Mailbox:
    """aiosmtpd's handler: every message received, by the event it tells of (its Message-ID)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content)
        with self.lock:
            self.received[message["Message-ID"]] += 1
        return "250 OK"

    def distinct(self) -> int:
        with self.lock:
            return len(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.server.shutdown()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def schedulers(committed: Flask, tmp_path: Path) -> Iterator[Commands]:
    started = Commands(tmp_path, "scheduler")
    try:
        yield started
    finally:
        started.kill_leftovers()


def _record_events(app: Flask, url: str) -> None:
    """1,000 overdue reminders of one customer (money: one e-mail each, to its billing address) and the
    provider's endpoint listening for everything."""
    with app.app_context():
        customer = factories.customer(billing_email="ap@race.example")
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
        for n in range(EVENTS):
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


def _start(schedulers: Commands, smtp_port: int, **settings: str | int):
    jobs_off = {schedule_setting(job.name): "off" for job in JOBS}
    return schedulers.launch(
        ["scheduler"],
        {
            **jobs_off,
            "DAAS_SCHEDULER_SWEEP_SECONDS": 1,
            "DAAS_NOTIFICATION_SWEEP_SECONDS": "0.2",
            "DAAS_NOTIFICATION_BATCH_SIZE": 25,
            "DAAS_MAIL_BACKEND": "smtp",
            "DAAS_SMTP_HOST": "127.0.0.1",
            "DAAS_SMTP_PORT": smtp_port,
            **settings,
        },
    )


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        counts = {
            f"{model.__tablename__}:{status}": total
            for model in (EmailMessage, WebhookDelivery)
            for status, total in db.session.execute(
                select(model.status, func.count()).group_by(model.status)
            ).all()
        }
        db.session.remove()
        return counts


def test_two_schedulers_deliver_every_event_once_and_never_at_the_same_time(
    committed: Flask, schedulers: Commands, receiver: Receiver, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _record_events(committed, receiver.url)
    first, second = _start(schedulers, port), _start(schedulers, port)

    def all_arrived() -> bool:
        schedulers.check_alive(first, second)
        return receiver.distinct() == EVENTS and box.distinct() == EVENTS

    wait_until(all_arrived, f"{EVENTS} webhooks and e-mails", timeout=STARTUP + DELIVERY)
    logs = [schedulers.stop(first), schedulers.stop(second)]

    assert receiver.overlaps == []
    assert receiver.bad_signatures == 0
    assert set(receiver.received.values()) == {1}
    assert set(box.received.values()) == {1}
    assert _counts(committed) == {"email_messages:sent": EVENTS, "webhook_deliveries:sent": EVENTS}
    assert all("daas.notifications: delivered:" in log for log in logs), "both schedulers took a share"


def test_a_scheduler_killed_mid_delivery_loses_nothing(
    committed: Flask, schedulers: Commands, receiver: Receiver, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _record_events(committed, receiver.url)
    short_lease = {"DAAS_NOTIFICATION_LEASE_SECONDS": 3}
    doomed = _start(schedulers, port, **short_lease)
    wait_until(lambda: receiver.distinct() >= 50, "the first scheduler to be sending", timeout=STARTUP)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    survivor = _start(schedulers, port, **short_lease)

    def all_arrived() -> bool:
        schedulers.check_alive(survivor)
        return receiver.distinct() == EVENTS and box.distinct() == EVENTS

    wait_until(all_arrived, f"all {EVENTS} events after the kill", timeout=STARTUP + DELIVERY)
    schedulers.stop(survivor)
    # At least once: what the killed process held when it died may arrive twice, never a whole batch more.
    assert sum(receiver.received.values()) - EVENTS <= 25
    assert _counts(committed) == {"email_messages:sent": EVENTS, "webhook_deliveries:sent": EVENTS}
