"""Screenshots of each role's home page on the demo data, for the README.

    .venv/bin/python docs/screenshots/take.py

Builds the demo on a fresh SQLite file, serves the app on a loopback port, signs in as each demo user with
Debian's Chromium (Playwright) and saves docs/screenshots/<role>.png. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from daas import create_app  # noqa: E402
from daas.extensions import db  # noqa: E402
from daas.usecases.demo import load_demo  # noqa: E402

PASSWORD = "daas-demo-2026"
USERS = {
    "customer": "it@amsterdam-analytics.example",
    "finance": "finance@daas.example",
    "logistics": "logistics@daas.example",
    "admin": "admin@daas.example",
}
CHROMIUM = os.environ.get("DAAS_CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="daas-screens-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}"}, env="development")
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for role, email in USERS.items():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(base + "/login")
            page.get_by_label("E-mail").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("networkidle")
            path = HERE / f"{role}.png"
            page.screenshot(path=str(path), full_page=False)
            print(f"{role:<10} {page.url:<45} -> {path.relative_to(HERE.parent.parent)}")
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
