"""The end of a contract's term, device by device, through the API (billing.md "Contract changes" and
"One-off charges"): five laptops on a contract ending 2027-03-01. On 2027-02-10 the customer reads the
end-of-term view, which quotes each laptop, and chooses: two go home, two stay on the contract, extended
12 months, and one, graded B in an earlier life, is bought out at its quote.

The quote, to the cent: list value 1,250.00 EUR, 48 months of expected life, manufactured 2024-01-15, so
36 whole months old on the quote day: max(0.1 × 1,250.00, 1,250.00 × (1 − 36/48)) = 312.50, × 0.85 for
grade B = 265.625, rounded half up 265.63. Accepting it adds the pending buy_out charge, billed once, as a
one-off line with 21 % VAT, on February's invoice; the laptop is sold that day (its deployment ends, its
custody event names the charge) and the impact ledger transfers what is left of its footprint to the
contract, conserved to the gram."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.billing.models import Invoice
from daas.charges.models import OneOffCharge
from daas.contracts import services as contracts
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.periods import Period
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.impact.ledger import read_lines
from daas.impact.statements import contract_statement
from daas.logistics import refresh, takeback
from daas.logistics.models import ReturnOrder, ReturnOrderDevice
from daas.logistics.slots import create_slot
from daas.settings import current_settings
from tests import factories
from tests.billing_helpers import bill
from tests.helpers import bearer

D = Decimal
ACTOR = factories.ACTOR
START, END = date(2024, 3, 1), date(2027, 3, 1)
QUOTE_DAY = date(2027, 2, 10)
REGION = "NL-NH"
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}
E0, MASS = D("300.000"), D("1.500")


@pytest.fixture
def fleet(database):
    """The contract, its customer's token, and the five laptops: SN-1 graded B on an earlier contract."""
    with clock.frozen(date(2024, 2, 1)):
        laptop = factories.device_model(
            name="Latitude 5440",
            embodied_co2e_kg=E0,
            weight_kg=MASS,
            expected_lifetime_months=48,
            list_values={"EUR": D("1250.00")},
        )
        customer = factories.customer(pickup_region=REGION, pickup_address="Damrak 1, Amsterdam")
        plan = factories.plan(term_months=36)
        serials = [
            factories.device(
                laptop.sku, f"EOT-{n}", on=date(2024, 1, 20), manufactured_on=date(2024, 1, 15)
            ).serial
            for n in range(1, 6)
        ]
        earlier = factories.contract(customer.id, plan.code, date(2024, 1, 20))
        contracts.deploy_device(earlier.id, serials[0], date(2024, 1, 20), ACTOR)
        contracts.end_deployment(earlier.id, serials[0], date(2024, 2, 1), ACTOR)
        takeback.wipe_device(serials[0], {**WIPE, "on": date(2024, 2, 1)}, ACTOR)
        takeback.grade_device(
            serials[0], "B", ACTOR, on=date(2024, 2, 1), policy=current_settings().end_of_term
        )
        takeback.dispose_device(serials[0], "redeploy", ACTOR, on=date(2024, 2, 1))
    with clock.frozen(QUOTE_DAY):
        contract = factories.contract(customer.id, plan.code, START)
        for serial in serials:
            contracts.deploy_device(contract.id, serial, START, ACTOR)
        create_slot(REGION, END, 10)
        token = factories.token("customer", customer.id)
    assert contract.end_date == END
    return {"contract": contract, "serials": serials, "customer": bearer(token)}


def _device(serial: str) -> Device:
    return db.session.scalar(
        select(Device).where(Device.serial == serial).execution_options(populate_existing=True)
    )


def test_two_returned_two_extended_one_bought_out(client, fleet):
    contract, serials, customer = fleet["contract"], fleet["serials"], fleet["customer"]
    sold, home, kept = serials[0], serials[1:3], serials[3:]
    url = f"/api/v1/contracts/{contract.id}/end-of-term"

    with clock.frozen(QUOTE_DAY):
        view = client.get(url, headers=customer)
        assert view.status_code == 200, view.get_json()
        body = view.get_json()
        assert (body["end_date"], body["extended_until"], body["open"]) == ("2027-03-01", None, True)
        devices = {item["serial"]: item for item in body["devices"]}
        assert sorted(devices) == serials
        quote = devices[sold]["quote"]
        assert (quote["price"], quote["currency"], quote["valid_until"]) == ("265.63", "EUR", "2027-03-12")
        assert (quote["list_value"], quote["age_months"], quote["grade"]) == ("1250.00", 36, "B")
        # Never graded counts as A: 312.50.
        assert {devices[s]["quote"]["price"] for s in serials[1:]} == {"312.50"}
        assert all(item["choice"] is None and item["buy_out_refused"] is None for item in devices.values())
        # Read again, the view gives the same stored quotes.
        again = {
            item["serial"]: item["quote"] for item in client.get(url, headers=customer).get_json()["devices"]
        }
        assert again == {serial: item["quote"] for serial, item in devices.items()}

        choices = [
            {"serial": sold, "choice": "buy_out", "quote_id": quote["quote_id"]},
            *({"serial": serial, "choice": "return"} for serial in home),
            *({"serial": serial, "choice": "extend"} for serial in kept),
        ]
        chosen = client.post(url, json={"devices": choices}, headers=customer)
        assert chosen.status_code == 200, chosen.get_json()
        body = chosen.get_json()
        assert (body["end_date"], body["extended_until"]) == ("2027-03-01", "2028-03-01")
        assert {item["serial"]: item["choice"] for item in body["devices"]} == {
            sold: "buy_out",
            **dict.fromkeys(home, "return"),
            **dict.fromkeys(kept, "extend"),
        }
        bought = next(item for item in body["devices"] if item["serial"] == sold)["quote"]
        assert (bought["accepted_on"], bought["price"]) == ("2027-02-10", "265.63")

        # The round of end-of-term returns finds nothing more to collect.
        report = refresh.plan_end_of_term_returns(QUOTE_DAY, 60, 14)
        assert report.end_of_term_orders == []

    # The charge: pending, the quoted price, named for the device.
    charge = db.session.scalar(select(OneOffCharge).where(OneOffCharge.contract_id == contract.id))
    assert (charge.kind, charge.status, charge.amount, charge.charge_on) == (
        "buy_out",
        "pending",
        D("265.63"),
        QUOTE_DAY,
    )
    assert charge.description == f"Buy-out of {sold} (Dell Latitude 5440), grade B"
    assert (charge.id, charge.device_serial) == (bought["charge_id"], sold)

    # The laptop is sold: its deployment ended on the sale day, its custody event names the charge.
    device = _device(sold)
    assert device.status == "sold"
    last = db.session.scalars(
        select(CustodyEvent).where(CustodyEvent.device_id == device.id).order_by(CustodyEvent.seq.desc())
    ).first()
    assert (last.action, last.occurred_on, last.reference, last.contract_id) == (
        "sell",
        QUOTE_DAY,
        f"buy-out charge {charge.id}",
        contract.id,
    )
    ended = db.session.scalar(
        select(Deployment.end_date).where(
            Deployment.device_id == device.id, Deployment.contract_id == contract.id
        )
    )
    assert ended == QUOTE_DAY

    # Two laptops go home on one end-of-term return order for the old end date, booked that day.
    orders = db.session.scalars(select(ReturnOrder).where(ReturnOrder.contract_id == contract.id)).all()
    assert [(o.reason, o.status, o.requested_date, o.slot.date) for o in orders] == [
        ("end_of_term", "scheduled", END, END)
    ]
    on_order = db.session.scalars(
        select(Device.serial)
        .join(ReturnOrderDevice, ReturnOrderDevice.device_id == Device.id)
        .where(ReturnOrderDevice.return_order_id == orders[0].id)
        .order_by(Device.serial)
    ).all()
    assert on_order == home
    assert [_device(serial).status for serial in home] == ["return_scheduled"] * 2

    # Extended by 12 months (its renewal months), the two kept laptops still deployed.
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).end_date == date(2028, 3, 1)
    assert contracts.deployed_serials(contract.id) == kept

    # February's invoice bills the buy-out once, as a one-off line with the month's 21 % VAT.
    with clock.frozen(date(2027, 3, 3)):
        bill(Period.parse("2027-02"), finalize=True)
    february = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == "2027-02")
    )
    one_offs = [line for line in february.lines if line.kind == "one_off"]
    assert [(line.charge_id, line.amount, line.quantity) for line in one_offs] == [
        (charge.id, D("265.63"), D(1))
    ]
    # Four laptops all 28 days and the sold one 9 (1 to 9 February): 39.00 × 121 / 28 = 168.54.
    devices_line = [line.amount for line in february.lines if line.kind == "device_monthly"]
    assert devices_line == [D("168.54")]
    assert (february.subtotal, february.tax_rate, february.tax_amount, february.total) == (
        D("434.17"),
        D("0.21"),
        D("91.18"),
        D("525.35"),
    )
    db.session.refresh(charge)
    assert (charge.status, charge.invoice_id) == ("billed", february.id)
    with clock.frozen(date(2027, 4, 2)):
        bill(Period.parse("2027-03"), finalize=True)
    march = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == "2027-03")
    )
    assert [line for line in march.lines if line.kind == "one_off"] == []

    # The impact statement shows what the buyer took over, and the ledger conserves every gram.
    with clock.frozen(date(2027, 4, 2)):
        statement = contract_statement(contract.id, None, None, clock.today())
        lines = read_lines(None, Period.parse("2027-03"), clock.today())
    by_device = {item["serial"]: item for item in statement["by_device"]}
    transferred = (by_device[sold]["transferred_co2e_kg"], by_device[sold]["transferred_mass_kg"])
    assert transferred[0] > 0 and transferred[1] > 0
    assert (statement["transferred_co2e_kg"], statement["transferred_mass_kg"]) == transferred
    assert all(by_device[serial]["transferred_co2e_kg"] == 0 for serial in serials[1:])
    co2e, mass = defaultdict(Decimal), defaultdict(Decimal)
    for line in lines:  # every contract the laptop served, the earlier one too
        co2e[line.device_id] += line.row.allocated_co2e_kg + line.row.transferred_co2e_kg
        mass[line.device_id] += line.row.allocated_mass_kg + line.row.transferred_mass_kg
        if line.device_id == device.id:
            assert line.contract_id is not None  # the provider keeps nothing of a sold laptop
    # allocated + transferred + provider residual = E0 (no refurbishment added to it), to the gram
    assert (co2e[device.id], mass[device.id]) == (E0, MASS)
    for serial in serials[1:]:  # still in service: what is left stays with the provider for now
        other = _device(serial).id
        assert co2e[other] < E0 and mass[other] < MASS
