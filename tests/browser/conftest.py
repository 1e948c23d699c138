"""Real Chromium (Debian's, driven by Playwright) against the app served on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.payments.conftest import live_app, localstripe  # noqa: F401 - fixtures shared with payments

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
