"""A real Stripe double for payment journeys: `localstripe` on a free loopback port, with its state file
in a temporary folder, the real `stripe` library pointed at it, and the app served on loopback so that
localstripe delivers its webhooks to it. These tests commit for real (the app serves other threads)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe
from flask import Flask

from daas.extensions import db
from tests.serving import free_port, served

WEBHOOK_SECRET = "whsec_daas_tests"
API_KEY = "sk_test_daas"

# Runs localstripe with its pickle in our folder instead of /tmp/localstripe.pickle.
_LAUNCHER = """
import sys
from localstripe import resources
path = sys.argv[1]

def load(self):
    try:
        with open(path, 'rb') as f:
            old = resources.pickle.load(f)
            self.clear()
            self.update(old)
    except FileNotFoundError:
        pass

def dump(self):
    with open(path, 'wb') as f:
        resources.pickle.dump(self, f, protocol=resources.pickle.HIGHEST_PROTOCOL)

resources.Store.try_load_from_disk = load
resources.Store.dump_to_disk = dump
sys.argv = ['localstripe', *sys.argv[2:]]
from localstripe.server import start
start()
"""


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


class LocalStripe:
    """localstripe as a process the test can stop and start again (keeping its state)."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.state = folder / "localstripe.pickle"
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, from_scratch: bool = False) -> None:
        args = [sys.executable, "-c", _LAUNCHER, str(self.state), "--port", str(self.port)]
        if from_scratch:
            args.append("--from-scratch")
        log = (self.state.parent / "localstripe.log").open("a")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def register_webhook(self, url: str) -> None:
        body = urllib.parse.urlencode({"url": url, "secret": WEBHOOK_SECRET}).encode()
        with urllib.request.urlopen(f"{self.url}/_config/webhooks/daas", data=body, timeout=5) as response:
            assert response.status == 200

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(API_KEY, base_addresses={"api": self.url}, max_network_retries=0)

    def card(self, number: str) -> str:
        """A PaymentMethod for a test card number, as Stripe.js would create it."""
        method = self.client().v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
            }
        )
        return method.id


@pytest.fixture
def localstripe(tmp_path: Path) -> Iterator[LocalStripe]:
    server = LocalStripe(tmp_path)
    server.start(from_scratch=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_app(app: Flask, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    """An app with Stripe configured, on a database that sees real commits, served on loopback."""
    settings = {
        "STRIPE_API_KEY": API_KEY,
        "STRIPE_PUBLISHABLE_KEY": "pk_test_daas",
        "STRIPE_API_BASE": localstripe.url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_JS_URL": f"{localstripe.url}/js.stripe.com/v3/",
    }
    with served(app, tmp_path, settings) as live:
        localstripe.register_webhook(f"{live.config['LIVE_URL']}/api/v1/webhooks/stripe")
        yield live


def wait_until(condition, timeout: float = 10.0, interval: float = 0.1):
    """Poll until `condition()` is truthy (webhooks arrive about a second after the event)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


def read(app: Flask, statement):
    """One query in its own short session: polling must not hold a transaction (on SQLite it would keep
    the app's writers waiting)."""
    with app.app_context():
        try:
            return db.session.scalar(statement)
        finally:
            db.session.remove()
