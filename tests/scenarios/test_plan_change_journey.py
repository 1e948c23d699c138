"""A contract changes plan mid-month, end to end (billing.md "Contract changes"): billed for October on
`std` and finalized; upgraded on 2026-11-10 (no `from`: an upgrade takes effect that day); November billed
per plan to the cent; a ticket of November's first days arrives late and December bills it on the plan of
those days; December is billed on `pro` alone; and October's invoice, its lines and its issued files, never
change. On SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.billing.models import BilledUsage, Invoice, IssuedDocument
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, deploy, finalize_run, usage
from tests.helpers import bearer

D = Decimal
NOVEMBER, DECEMBER = Period.parse("2026-11"), Period.parse("2026-12")


def _plans() -> tuple[Any, Any, Any]:
    tickets = factories.metric(code=factories.unique("support_tickets"), name="Support tickets")

    def plan(code: str, device: str, above_ten: str, minimum: str) -> Any:
        return factories.plan(
            code=factories.unique(code),
            minimum_monthly_amount=D(minimum),
            charges=[
                {"kind": "device_monthly", "unit_amount": D(device)},
                {
                    "kind": "metered",
                    "metric": tickets.code,
                    "model": "graduated",
                    "tiers": [
                        {"up_to": D(10), "unit_amount": D(0)},
                        {"up_to": None, "unit_amount": D(above_ten)},
                    ],
                },
            ],
        )

    return (
        plan("laptop-std-36", "39.00", "15.00", "500.00"),
        plan("laptop-pro-36", "49.00", "12.00", "700.00"),
        tickets,
    )


def _invoice(client, finance, contract_id: int, period: Period) -> dict[str, Any]:
    [found] = client.get(
        f"/api/v1/invoices?period={period}&contract_id={contract_id}", headers=finance
    ).get_json()
    return client.get(f"/api/v1/invoices/{found['id']}", headers=finance).get_json()


def _lines(invoice: dict[str, Any]) -> list[tuple[str | None, str, str, str]]:
    return [
        (line["plan_code"], line["kind"], line["description"], line["amount"]) for line in invoice["lines"]
    ]


def _files(invoice_id: int) -> list[tuple[str, str, bytes]]:
    rows = db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.invoice_id == invoice_id).order_by(IssuedDocument.format)
    )
    return [(row.format, row.sha256, bytes(row.content)) for row in rows]


def test_a_mid_month_upgrade_bills_each_plan_its_days(client, database):
    std, pro, tickets = _plans()
    customer = factories.customer(document_language="en")
    contract = factories.contract(customer.id, std.code, date(2026, 1, 1))
    laptop = factories.device_model(manufacturer="Dell", name="Latitude 5440")
    deploy(contract, date(2026, 9, 1), sku=laptop.sku)
    deploy(contract, date(2026, 10, 15), sku=laptop.sku)
    usage(contract, tickets, *[at(2026, 10, day) for day in range(1, 13)])
    usage(
        contract,
        tickets,
        *[at(2026, 11, day) for day in range(2, 8)],
        *[at(2026, 11, day, 8) for day in range(2, 8)],
    )
    usage(contract, tickets, at(2026, 11, 9, 23), at(2026, 11, 10, 0))  # either side of midnight
    usage(contract, tickets, *[at(2026, 11, day) for day in range(12, 18)])
    finance = bearer(factories.token("finance"))

    with clock.frozen(date(2026, 11, 2)):
        finalize_run(bill(OCTOBER).id)
        october = _invoice(client, finance, contract.id, OCTOBER)
        october_files = _files(october["id"])
    assert october["status"] == "open" and {line["plan_code"] for line in october["lines"]} == {None}
    assert [f for f, _, _ in october_files] == ["cii", "pdf", "ubl"]

    with clock.frozen(date(2026, 11, 10)):
        changed = client.post(
            f"/api/v1/contracts/{contract.id}/plan-changes", json={"plan_code": pro.code}, headers=finance
        )
        assert changed.status_code == 201, changed.get_json()
        assert [(p["plan_code"], p["from"], p["to"]) for p in changed.get_json()["plans"]] == [
            (std.code, "2026-01-01", "2026-11-10"),
            (pro.code, "2026-11-10", None),
        ]

    with clock.frozen(date(2026, 12, 2)):
        finalize_run(bill(NOVEMBER).id)
        november = _invoice(client, finance, contract.id, NOVEMBER)
    a, b = f"Plan {std.code}, 1–9 Nov: ", f"Plan {pro.code}, 10–30 Nov: "
    assert _lines(november) == [
        # 2 laptops × 9 days × 39.00 / 30; 13 tickets on std's days: 10 free, 3 at 15.00.
        (std.code, "device_monthly", a + "Dell Latitude 5440: 18 device-days in November 2026", "23.40"),
        (std.code, "metered", a + "Support tickets, units 1-10 at 0.00", "0.00"),
        (std.code, "metered", a + "Support tickets, units 11-13 at 15.00", "45.00"),
        (
            std.code,
            "minimum_true_up",
            a + "Minimum commitment 150.00 for November 2026 (9 of 30 days)",
            "81.60",
        ),
        # 2 laptops × 21 days × 49.00 / 30; 7 tickets on pro's days, in its free tier again.
        (pro.code, "device_monthly", b + "Dell Latitude 5440: 42 device-days in November 2026", "68.60"),
        (pro.code, "metered", b + "Support tickets, units 1-7 at 0.00", "0.00"),
        (
            pro.code,
            "minimum_true_up",
            b + "Minimum commitment 490.00 for November 2026 (21 of 30 days)",
            "421.40",
        ),
    ]
    assert (november["subtotal"], november["tax_amount"], november["total"]) == ("640.00", "134.40", "774.40")
    billed = db.session.execute(
        select(BilledUsage.window_start, BilledUsage.quantity)
        .where(BilledUsage.contract_id == contract.id, BilledUsage.period_start == NOVEMBER.start)
        .order_by(BilledUsage.window_start)
    ).all()
    assert [(start, quantity) for start, quantity in billed] == [
        (date(2026, 11, 1), D(13)),
        (date(2026, 11, 10), D(7)),
    ]

    with clock.frozen(date(2026, 12, 5)):
        usage(contract, tickets, at(2026, 11, 8))  # late, on std's days: a 14th ticket there, at 15.00
        usage(contract, tickets, at(2026, 12, 3), at(2026, 12, 4), at(2026, 12, 5))
    with clock.frozen(date(2027, 1, 2)):
        bill(DECEMBER)
        december = _invoice(client, finance, contract.id, DECEMBER)
    assert _lines(december) == [
        (None, "device_monthly", "Dell Latitude 5440: 62 device-days in December 2026", "98.00"),
        (None, "metered", "Support tickets, units 1-3 at 0.00", "0.00"),
        (None, "minimum_true_up", "Minimum commitment 700.00 for December 2026 (31 of 31 days)", "602.00"),
        (std.code, "late_usage", a + "Late usage November 2026: Support tickets", "15.00"),
    ]

    again = _invoice(client, finance, contract.id, OCTOBER)
    assert again == october
    assert _files(october["id"]) == october_files
    assert db.session.get(Invoice, october["id"]).total == D(october["total"])
