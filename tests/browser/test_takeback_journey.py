"""A laptop wiped with `clear` and graded D in a real browser: the device page offers neither redeploying
nor recycling it, says why, offers a second, stronger wipe; after it the laptop is recycled. On a phone and
on a desktop."""

from __future__ import annotations

from datetime import date

import pytest

from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
EMAIL = "workshop@daas.example"


@pytest.fixture
def handed_back(site, today):
    with site.app_context():
        contract = factories.contract()
        serial = factories.device(serial="SN-PARTS-ONLY-1").serial
        deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
        end_deployment(contract.id, serial, date(2026, 11, 10), "tests")
        factories.user("logistics", email=EMAIL, password=PASSWORD)
        db.session.commit()
        db.session.remove()
    return serial


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def _options(page, label: str) -> list[str]:
    return page.get_by_role("combobox", name=label).evaluate("s => Array.from(s.options).map(o => o.value)")


@pytest.mark.parametrize(("width", "height"), [(375, 812), (1280, 900)], ids=["phone", "desktop"])
def test_a_clear_wiped_grade_d_laptop_is_wiped_again_and_recycled(browser, site, handed_back, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_page(page, site, EMAIL, PASSWORD)
        page.goto(f"{site.config['LIVE_URL']}/logistics/devices/{handed_back}")
        page.get_by_role("combobox", name="Method").select_option("clear")
        page.get_by_label("Verified by").fill("K. Braun")
        _submit(page, "Record wipe")
        page.get_by_role("combobox", name="Grade").select_option("D")
        _submit(page, "Record grade")
        assert "graded D; it is now graded" in page.locator(".flash-success").inner_text()

        assert page.get_by_role("heading", name="Wipe again (purge)").is_visible()
        assert _options(page, "Disposition") == ["refurbish", "harvest"]
        assert _options(page, "Method") == ["purge", "destroy"]
        not_now = page.locator("section", has=page.get_by_role("heading", name="Not possible now"))
        assert "parts only" in not_now.inner_text() and "purge or destroy" in not_now.inner_text()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        screenshot(page, f"takeback-wipe-again-{width}")

        page.get_by_label("Verified by").fill("K. Braun")
        _submit(page, "Record the second wipe")
        assert "it is now graded" in page.locator(".flash-success").inner_text()
        assert page.locator("#device-wipe").inner_text() == "purge"
        assert _options(page, "Disposition") == ["refurbish", "harvest", "recycle"]
        page.get_by_role("combobox", name="Disposition").select_option("recycle")
        _submit(page, "Record disposition")
        assert page.locator("#device-state").inner_text().strip() == "recycled"
        assert page.evaluate("document.activeElement.name") == "serial"  # ready for the next scan
        custody = page.locator("table.custody").inner_text()
        assert "wipe again" in custody and "recycle" in custody
        screenshot(page, f"takeback-recycled-{width}")
    finally:
        context.close()
