"""The app served on a loopback port for tests that drive it from outside (a browser, localstripe's
webhooks): real commits, and a server thread stopped afterwards."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from daas import create_app
from daas.extensions import db
from daas.settings import install_settings
from tests.conftest import ON_POSTGRES, empty_tables


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(app: Flask, folder: Path, settings: Mapping[str, Any] | None = None) -> Iterator[Flask]:
    """The app with `settings` on a database that sees real commits, served on loopback at
    `config["LIVE_URL"]`. On PostgreSQL it is the session's app (settings restored and tables emptied
    afterwards); on SQLite a new app on a database file of its own in `folder`."""
    settings = dict(settings or {})
    if ON_POSTGRES:
        live, saved = app, {name: app.config.get(name) for name in settings}
        live.config.update(settings)
        install_settings(live)
    else:
        live, saved = (
            create_app(
                {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'served.sqlite3'}", **settings},
                env="testing",
            ),
            {},
        )
        with live.app_context():
            upgrade()
    port = free_port()
    server = make_server("127.0.0.1", port, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with live.app_context():
            db.session.remove()
            if ON_POSTGRES:
                empty_tables()
            db.engine.dispose()
        live.config.update(saved)
        if ON_POSTGRES:
            install_settings(live)
        live.config.pop("LIVE_URL", None)
