"""Damage found when a device comes back, end to end (billing.md "One-off charges"): a laptop collected
from its contract and graded D with the grader's notes proposes its 250.00 EUR damage charge on that
contract; finance approves it, the customer disputes it, finance upholds it, and it is billed once, as a
one_off line with VAT on the next invoice and not again the month after. A grade C laptop past half its
expected life is fair wear: nothing is proposed. On SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.billing.models import Invoice
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from tests import factories
from tests.billing_helpers import NOVEMBER, bill, finalize_run
from tests.helpers import bearer

D = Decimal
REGION = "NL-NH"
NIST_WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "K. Braun"}


def _post(client: Any, url: str, body: Any, headers: dict[str, str], status: int = 200) -> Any:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == status, (url, response.get_json())
    return response.get_json()


def _invoice(contract_id: int, period: str) -> Invoice:
    return db.session.scalar(
        select(Invoice)
        .where(Invoice.contract_id == contract_id, Invoice.period == period)
        .execution_options(populate_existing=True)
    )


def test_a_damaged_laptop_is_charged_once_after_its_dispute_is_upheld(client, database):
    logistics = bearer(factories.token("logistics"))
    finance = bearer(factories.token("finance"))
    with clock.frozen(date(2026, 11, 2)):
        laptop = factories.device_model(category="laptop", expected_lifetime_months=48)
        customer = factories.customer(pickup_region=REGION, pickup_address="Keizersgracht 1, Amsterdam")
        customer_token = bearer(factories.token("customer", customer.id))
        plan = factories.plan()  # 39.00 a device and month, no minimum
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1)).id
        devices = {
            "young": factories.device(laptop.sku, serial="SN-YOUNG", manufactured_on=date(2025, 11, 1)),
            "old": factories.device(laptop.sku, serial="SN-OLD", manufactured_on=date(2023, 1, 1)),
            "staying": factories.device(laptop.sku, serial="SN-STAYING"),
        }
        for device in devices.values():
            _post(
                client,
                f"/api/v1/contracts/{contract}/devices",
                {"serial": device.serial, "start_date": "2026-02-01"},
                logistics,
                201,
            )
        _post(
            client,
            "/api/v1/pickup-slots",
            {"region": REGION, "date": "2026-11-10", "capacity": 5},
            logistics,
            201,
        )
        order = _post(
            client,
            "/api/v1/return-orders",
            {
                "contract_id": contract,
                "serials": ["SN-YOUNG", "SN-OLD"],
                "reason": "early_return",
                "requested_date": "2026-11-10",
                "region": REGION,
                "address": "Keizersgracht 1, Amsterdam",
            },
            logistics,
            201,
        )
    with clock.frozen(date(2026, 11, 14)):
        url = f"/api/v1/return-orders/{order['id']}"
        _post(client, f"{url}/pickup", {"picked_up_on": "2026-11-10"}, logistics)
        _post(client, f"{url}/receive", {"received_on": "2026-11-12"}, logistics)
        for serial in ("SN-YOUNG", "SN-OLD"):
            _post(client, f"/api/v1/devices/{serial}/wipe", NIST_WIPE, logistics, 201)
        # A year old, grade D: D always pays. 46 months of 48, grade C: past half its life, fair wear.
        _post(client, "/api/v1/devices/SN-YOUNG/grade", {"grade": "D", "notes": "cracked screen"}, logistics)
        _post(client, "/api/v1/devices/SN-OLD/grade", {"grade": "C", "notes": "worn keys"}, logistics)

        charges = client.get(f"/api/v1/contracts/{contract}/charges", headers=finance).get_json()
        assert [
            (c["kind"], c["status"], c["amount"], c["description"], c["device_serial"], c["on"])
            for c in charges
        ] == [
            (
                "damage",
                "proposed",
                "250.00",
                "Damage: SN-YOUNG graded D: cracked screen",
                "SN-YOUNG",
                "2026-11-14",
            )
        ]
        charge = charges[0]["id"]
        assert client.get(f"/api/v1/charges/{charge}", headers=customer_token).status_code == 200

        assert _post(client, f"/api/v1/charges/{charge}/approve", {}, finance)["status"] == "pending"
        disputed = _post(
            client,
            f"/api/v1/charges/{charge}/dispute",
            {"reason": "It was cracked on delivery"},
            customer_token,
        )
        assert disputed["status"] == "disputed"
        upheld = _post(
            client, f"/api/v1/charges/{charge}/uphold", {"note": "Delivery photos show it whole"}, finance
        )
        assert upheld["status"] == "pending"

    with clock.frozen(date(2026, 12, 1)):
        finalize_run(bill(NOVEMBER).id)
    november = _invoice(contract, "2026-11")
    one_off = [line for line in november.lines if line.kind == "one_off"]
    assert [(line.description, line.amount, line.charge_id) for line in one_off] == [
        ("Damage: SN-YOUNG graded D: cracked screen", D("250.00"), charge)
    ]
    # Devices: SN-STAYING all 30 days, the two returned 1 to 9 November: 39.00 × 48 / 30 = 62.40.
    assert (november.subtotal, november.tax_amount, november.total) == (D("312.40"), D("65.60"), D("378.00"))
    shown = client.get(f"/api/v1/charges/{charge}", headers=finance).get_json()
    assert (shown["status"], shown["invoice_id"]) == ("billed", november.id)

    with clock.frozen(date(2027, 1, 2)):
        bill(Period.parse("2026-12"))
    december = _invoice(contract, "2026-12")
    assert [line.kind for line in december.lines] == ["device_monthly"]
    assert december.subtotal == D("39.00")
