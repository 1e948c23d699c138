"""The contracts within their end-of-term notices, on the portal's, finance's and logistics' overviews."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests import factories
from tests.web.helpers import signed_in


def _rows(html: str) -> list[str]:
    table = html.split('id="ending-contracts-table"', 1)[1].split("</table>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("<tr>")[2:]]


def _contracts():
    customer = factories.customer(name="Baukontor GmbH")
    other = factories.customer(name="Other BV")
    plan = factories.plan()
    # 2026-11-15 today: 46 days left (the 60-day notice), 20 days (30), 120 days (no notice yet).
    renewing = factories.contract(
        customer.id, plan.code, date(2024, 1, 1), end_date=date(2026, 12, 31), renews=True
    )
    ending = factories.contract(customer.id, plan.code, date(2024, 1, 1), end_date=date(2026, 12, 5))
    factories.contract(customer.id, plan.code, date(2024, 1, 1), end_date=date(2027, 3, 15))
    factories.contract(other.id, plan.code, date(2024, 1, 1), end_date=date(2026, 12, 20))
    return customer, renewing, ending


def test_the_customer_sees_its_contracts_ending_within_90_days(app, database, today):
    customer, renewing, ending = _contracts()
    portal, _ = signed_in(app, "customer", customer.id)
    assert _rows(portal.get("/portal").get_data(as_text=True)) == [
        f"{ending.reference} 2026-12-05 20 30-day notice ends: devices come back unless extended",
        f"{renewing.reference} 2026-12-31 46 60-day notice renews automatically",
    ]


@pytest.mark.parametrize(("role", "path"), [("finance", "/finance"), ("logistics", "/logistics")])
def test_finance_and_logistics_see_every_customer_s_contracts_ending(app, database, today, role, path):
    _, renewing, ending = _contracts()
    staff, _ = signed_in(app, role)
    rows = _rows(staff.get(path).get_data(as_text=True))
    assert len(rows) == 3, rows
    ends = "ends: devices come back unless extended"
    assert rows[0] == f"{ending.reference} Baukontor GmbH 2026-12-05 20 30-day notice {ends}"
    assert "Other BV 2026-12-20 35 60-day notice" in rows[1]
    assert rows[2] == f"{renewing.reference} Baukontor GmbH 2026-12-31 46 60-day notice renews automatically"


def test_nothing_ending_says_so(app, database, today):
    customer = factories.customer()
    factories.contract(customer.id, factories.plan().code, date(2026, 1, 1))
    portal, _ = signed_in(app, "customer", customer.id)
    assert "No contract ends within 90 days." in portal.get("/portal").get_data(as_text=True)
