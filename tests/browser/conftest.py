"""Real Chromium (Debian's, driven by Playwright) against the app served on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.payments.conftest import live_app, localstripe  # noqa: F401 - fixtures shared with payments
from tests.serving import served

CHROMIUM = os.environ.get("DAAS_CHROMIUM", "/usr/bin/chromium")
# Flags for a machine without network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("DAAS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required (DAAS_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium, or set DAAS_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# -- the app served on loopback, for journeys that need no Stripe ------------------------------------

ARTIFACTS = Path(
    os.environ.get("DAAS_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)


@pytest.fixture
def site(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The app on a database that sees real commits, served on loopback; `site.config["LIVE_URL"]`."""
    with served(app, tmp_path) as live:
        yield live


def sign_in_page(page: Any, site: Flask, email: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(site.config["LIVE_URL"] + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():  # the form posts; the next page is the one signed in
        page.get_by_role("button", name="Sign in").click()


def screenshot(page: Any, name: str) -> Path:
    """Save the page as test-artifacts/screenshots/<name>.png (kept by CI as the journey's artifact)."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
