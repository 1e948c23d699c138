"""Calendar feed tokens: a feed link carries a token that reads the iCalendar feed and nothing else, can be
revoked, and is written to the access log only as its prefix; a full API token never rides in a query
string."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade

from daas import create_app
from daas.auth.log_filter import mask_tokens
from daas.auth.services import create_token
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.logistics import returns, slots
from tests import factories
from tests.helpers import assert_error, bearer
from tests.serving import free_port, served
from tests.web.browsers import signed_in
from tests.web.helpers import post_form

REGION = "DE-BER"
FEED = f"/api/v1/pickup-slots.ics?region={REGION}"
ROOT = Path(__file__).resolve().parents[2]


def _pickup(today: date) -> int:
    """A return order booked on today's slot in REGION; its id."""
    model = factories.device_model(sku=factories.unique("DELL-LAT"))
    contract = factories.contract(factories.customer(pickup_region=REGION).id, factories.plan().code)
    device = factories.device(model.sku, serial=factories.unique("SN"))
    deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
    slots.create_slot(REGION, today, 2)
    order = returns.create_return_order(
        contract.id, [device.serial], "end_of_term", today, REGION, "Alexanderplatz 1, Berlin", "tests", 14
    )
    return order.id


@pytest.fixture
def feed(database, today):
    """A logistics user with an API token and a calendar token, and a scheduled pickup."""
    user = factories.user("logistics")
    order_id = _pickup(today)
    _, api_token = create_token(user.id, "integration")
    calendar_record, calendar_token = create_token(user.id, "my phone's calendar", scope="calendar")
    db.session.commit()
    return {
        "user": user,
        "order": order_id,
        "api": api_token,
        "calendar": calendar_token,
        "calendar_record": calendar_record,
    }


def test_a_calendar_token_reads_the_feed_from_the_link_or_the_header(client, feed) -> None:
    for response in (
        client.get(f"{FEED}&token={feed['calendar']}"),
        client.get(FEED, headers=bearer(feed["calendar"])),
    ):
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        assert f"Pickup #{feed['order']}: 1 device(s)" in response.get_data(as_text=True)


def test_a_calendar_token_opens_nothing_but_the_feed(client, feed) -> None:
    calendar = feed["calendar"]
    for path in ("/api/v1/me", "/api/v1/return-orders", "/api/v1/pickup-slots", "/api/v1/devices"):
        assert_error(client.get(path, headers=bearer(calendar)), 401)
        assert_error(client.get(f"{path}?token={calendar}"), 401)
    body = {"region": REGION, "date": "2026-12-01", "capacity": 3}
    assert_error(client.post("/api/v1/pickup-slots", json=body, headers=bearer(calendar)), 401)
    assert client.get("/api/v1/me", headers=bearer(feed["api"])).status_code == 200


def test_an_api_token_in_the_query_string_is_refused_even_on_the_feed(client, feed) -> None:
    refused = assert_error(client.get(f"{FEED}&token={feed['api']}"), 401)
    assert "calendar token" in refused["message"]
    assert client.get(FEED, headers=bearer(feed["api"])).status_code == 200  # the header is fine


def test_a_revoked_calendar_token_is_refused_and_the_api_lists_token_scopes(client, feed, tokens) -> None:
    user, record = feed["user"], feed["calendar_record"]
    listed = client.get(f"/api/v1/users/{user.id}/tokens", headers=bearer(tokens["admin"])).get_json()
    assert {(token["name"], token["scope"]) for token in listed} == {
        ("integration", "api"),
        ("my phone's calendar", "calendar"),
    }
    revoked = client.post(
        f"/api/v1/users/{user.id}/tokens/{record.id}/revoke", headers=bearer(tokens["admin"])
    )
    assert revoked.status_code == 200 and revoked.get_json()["scope"] == "calendar"
    assert_error(client.get(f"{FEED}&token={feed['calendar']}"), 401)


def test_the_api_issues_calendar_tokens_on_request_and_api_tokens_by_default(client, feed, tokens) -> None:
    url = f"/api/v1/users/{feed['user'].id}/tokens"
    issued = client.post(url, json={"name": "Outlook", "scope": "calendar"}, headers=bearer(tokens["admin"]))
    assert issued.status_code == 201 and issued.get_json()["scope"] == "calendar"
    token = issued.get_json()["token"]
    assert client.get(f"{FEED}&token={token}").status_code == 200
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401)
    plain = client.post(url, json={"name": "ERP"}, headers=bearer(tokens["admin"]))
    assert plain.get_json()["scope"] == "api"
    assert_error(
        client.post(url, json={"name": "x", "scope": "admin"}, headers=bearer(tokens["admin"])), 422, "scope"
    )


def test_the_logistics_page_link_carries_a_calendar_token_the_admin_sees_and_revokes(app, database, today):
    _pickup(today)
    db.session.commit()
    logistics, user = signed_in(app, "logistics")
    shown = post_form(
        logistics, f"/logistics/calendar/feed-token?region={REGION}", {}, form_page="/logistics/calendar"
    )
    link = re.search(r'id="feed-link"[^>]*value="([^"]+)"', shown.get_data(as_text=True)).group(1)
    token = link.replace("&amp;", "&").partition("&token=")[2]
    assert logistics.get(f"{FEED}&token={token}").status_code == 200
    assert_error(logistics.get("/api/v1/me", headers=bearer(token)), 401)
    admin, _ = signed_in(app, "admin")
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "pickup calendar feed" in page and "the calendar feed only" in page
    [record] = user.tokens
    post_form(
        admin, f"/admin/users/{user.id}/tokens/{record.id}/revoke", {}, form_page=f"/admin/users/{user.id}"
    )
    assert_error(logistics.get(f"{FEED}&token={token}"), 401)


# -- not in the access log -----------------------------------------------------------------------------------


def test_masking_keeps_the_prefix_and_cuts_every_token_parameter() -> None:
    token = "daas_AbCdEf" + "x" * 32
    line = f'127.0.0.1 - - "GET /api/v1/pickup-slots.ics?region=DE&token={token} HTTP/1.1" 200 -'
    assert (
        mask_tokens(line)
        == '127.0.0.1 - - "GET /api/v1/pickup-slots.ics?region=DE&token=daas_AbCdEf*** HTTP/1.1" 200 -'
    )
    assert mask_tokens(f"/feed?access_token={token}&x=1") == "/feed?access_token=daas_AbCdEf***&x=1"
    assert mask_tokens("/feed?token=short") == "/feed?token=***"
    assert mask_tokens("/feed?region=DE") == "/feed?region=DE"


class Lines(logging.Handler):
    """Keeps the lines a logger writes."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_the_development_server_logs_the_feed_request_with_the_token_masked(
    app, tmp_path, monkeypatch
) -> None:
    written = Lines()
    with served(app, tmp_path) as live:
        # Migrations run in this process (alembic's fileConfig) disable the loggers that existed before them
        # and take the root's handlers (caplog's too); a server process runs none. Listen on werkzeug's.
        werkzeug = logging.getLogger("werkzeug")
        monkeypatch.setattr(werkzeug, "disabled", False)
        werkzeug.addHandler(written)
        try:
            with live.app_context():
                user = factories.user("logistics")
                _, token = create_token(user.id, "calendar app", scope="calendar")
                db.session.commit()
            with urllib.request.urlopen(
                f"{live.config['LIVE_URL']}{FEED}&token={token}", timeout=10
            ) as answer:
                assert answer.status == 200
            deadline = time.monotonic() + 5
            while not [line for line in written.lines if "pickup-slots.ics" in line]:
                assert time.monotonic() < deadline, "no access log line"
                time.sleep(0.01)
        finally:
            werkzeug.removeHandler(written)
    [line] = [line for line in written.lines if "pickup-slots.ics" in line]
    assert f"token={token[:11]}***" in line and " 200 " in line
    assert not [line for line in written.lines if token[11:] in line]


def test_gunicorn_access_log_masks_the_token(tmp_path) -> None:
    """The real `gunicorn wsgi:app` of docs/operations.md, with its access log on stdout."""
    database = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    built = create_app({"SQLALCHEMY_DATABASE_URI": database}, env="testing")
    with built.app_context():
        upgrade()
        db.engine.dispose()
    port = free_port()
    token = "daas_" + "Zy9" * 14
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DAAS_ENV": "testing", "DATABASE_URL": database}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--access-logfile", "-", "wsgi:app"], cwd=ROOT, env=env, stdout=output, stderr=output
        )
    try:
        url = f"http://127.0.0.1:{port}{FEED}&token={token}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError as refused:
                assert refused.code == 401  # an unknown token: refused, and logged all the same
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        deadline = time.monotonic() + 10
        while "pickup-slots.ics" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()
    assert f"token={token[:11]}***" in written
    assert token not in written and token[11:] not in written
