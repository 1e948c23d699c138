"""Packaging in the impact statement and the portfolio report: the kilograms of each material of the
shipments delivered in the window (a shipment belongs to a contract through its order), the plastic share,
and the shipments in a reusable box; in the JSON, the CSV, the PDF, the command line and the portal."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.impact.export import PACKAGING_COLUMNS, REPORT_COLUMNS, STATEMENT_COLUMNS
from daas.impact.packaging import add_packaging, packaging_figures, share_percent
from daas.orders.lifecycle import PACKAGING_MATERIALS, ShipmentStatus
from tests import factories
from tests.helpers import bearer
from tests.packaging_helpers import order, shipment
from tests.web.helpers import signed_in

WINDOW = "from=2026-03-15&to=2026-04-02"  # whole months: 2026-03-01 through 2026-04-30
NONE_USED = dict.fromkeys(PACKAGING_MATERIALS, "0.000")


@pytest.fixture
def deliveries(database, today):
    """Customer Packer: contract X with two shipments delivered in March and April 2026 (cardboard 0.450
    and recycled plastic 0.050; moulded pulp 0.300), one in a reusable box on the window's last day, one
    delivered on each side of the window, one on its way and one failed; contract Y with one delivery in
    the window. Customer Other: a contract with a device deployed and a delivery of cardboard."""
    packer, other = factories.customer(name="Packer"), factories.customer(name="Other")
    plan = factories.plan().code
    x = factories.contract(packer.id, plan, date(2026, 1, 1))
    y = factories.contract(packer.id, plan, date(2026, 2, 1))
    z = factories.contract(other.id, plan, date(2026, 1, 1))
    on_x, on_y, on_z = order(x), order(y), order(z)
    shipment(on_x, {"cardboard": "0.450", "recycled_plastic": "0.050"}, date(2026, 3, 1))
    shipment(on_x, {"moulded_pulp": "0.300"}, date(2026, 4, 2))
    shipment(on_x, reusable_box_id="BOX-0001", delivered_on=date(2026, 4, 30))
    shipment(on_x, {"bagasse": "0.100"}, date(2026, 2, 28))
    shipment(on_x, {"cardboard": "1.000", "virgin_plastic": "0.200"}, date(2026, 5, 1))
    shipment(on_x, {"cardboard": "2.000"}, status=ShipmentStatus.SHIPPED)
    shipment(on_x, {"virgin_plastic": "0.500"}, status=ShipmentStatus.FAILED)
    shipment(on_y, {"bamboo": "0.200", "virgin_plastic": "0.100"}, date(2026, 4, 15))
    shipment(on_z, {"cardboard": "0.500"}, date(2026, 3, 20))
    deploy_device(z.id, factories.device().serial, date(2026, 3, 20), factories.ACTOR)
    return {
        "X": x.id,
        "Y": y.id,
        "packer": packer.id,
        "other": other.id,
        "customer": factories.token("customer", packer.id),
        "finance": factories.token("finance"),
    }


def test_the_statement_adds_up_the_packaging_delivered_in_its_window(client, deliveries):
    url, headers = f"/api/v1/contracts/{deliveries['X']}/impact", bearer(deliveries["customer"])
    body = client.get(f"{url}?{WINDOW}", headers=headers).get_json()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-04-30")
    # In the window: the two deliveries and the reusable box; not February's, May's, the one on its way
    # or the failed one.
    assert body["packaging"] == {
        **NONE_USED,
        "cardboard": "0.450",
        "recycled_plastic": "0.050",
        "moulded_pulp": "0.300",
    }
    assert body["packaging_kg"] == "0.800"
    assert body["packaging_plastic_share"] == "0.0625"  # 0.050 ÷ 0.800
    assert body["reusable_boxes"] == 1

    # The whole contract: February's and May's deliveries too, still not the undelivered ones.
    whole = client.get(url, headers=headers).get_json()
    assert whole["packaging"] == {
        **NONE_USED,
        "cardboard": "1.450",
        "moulded_pulp": "0.300",
        "bagasse": "0.100",
        "recycled_plastic": "0.050",
        "virgin_plastic": "0.200",
    }
    assert whole["packaging_kg"] == "2.100"
    assert whole["packaging_plastic_share"] == "0.1190"  # 0.250 ÷ 2.100 = 0.11904…
    assert whole["reusable_boxes"] == 1


def test_without_packaging_there_is_no_plastic_share(client, deliveries):
    headers = bearer(deliveries["customer"])
    url = f"/api/v1/contracts/{deliveries['X']}/impact"
    january = client.get(f"{url}?from=2026-01-01&to=2026-01-31", headers=headers).get_json()
    assert january["packaging"] == NONE_USED
    assert (january["packaging_kg"], january["packaging_plastic_share"], january["reusable_boxes"]) == (
        "0.000",
        None,
        0,
    )
    # A reusable box counts 0 kg: a contract that only had boxes has no share either.
    boxed = factories.contract(deliveries["packer"], factories.plan().code, date(2026, 1, 1))
    shipment(order(boxed), reusable_box_id="BOX-0002", delivered_on=date(2026, 6, 1))
    body = client.get(f"/api/v1/contracts/{boxed.id}/impact", headers=headers).get_json()
    assert (body["packaging_kg"], body["packaging_plastic_share"], body["reusable_boxes"]) == (
        "0.000",
        None,
        1,
    )


def test_the_statement_csv_has_the_packaging_on_its_total_row(client, deliveries):
    response = client.get(
        f"/api/v1/contracts/{deliveries['X']}/impact.csv?{WINDOW}", headers=bearer(deliveries["customer"])
    )
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert tuple(reader.fieldnames or ()) == STATEMENT_COLUMNS
    assert (
        STATEMENT_COLUMNS[-len(PACKAGING_COLUMNS) :]
        == PACKAGING_COLUMNS
        == (
            "packaging_cardboard_kg",
            "packaging_moulded_pulp_kg",
            "packaging_bagasse_kg",
            "packaging_bamboo_kg",
            "packaging_recycled_plastic_kg",
            "packaging_virgin_plastic_kg",
            "packaging_kg",
            "packaging_plastic_share",
            "reusable_boxes",
        )
    )
    [total] = list(reader)  # no device served X
    assert total["row"] == "total"
    assert {name: total[name] for name in PACKAGING_COLUMNS} == {
        "packaging_cardboard_kg": "0.450",
        "packaging_moulded_pulp_kg": "0.300",
        "packaging_bagasse_kg": "0.000",
        "packaging_bamboo_kg": "0.000",
        "packaging_recycled_plastic_kg": "0.050",
        "packaging_virgin_plastic_kg": "0.000",
        "packaging_kg": "0.800",
        "packaging_plastic_share": "0.0625",
        "reusable_boxes": "1",
    }


def test_the_report_adds_up_each_customers_contracts(client, deliveries):
    headers = bearer(deliveries["finance"])
    body = client.get(f"/api/v1/impact/report?{WINDOW}", headers=headers).get_json()
    by_name = {item["name"]: item for item in body["customers"]}
    assert sorted(by_name) == ["Other", "Packer"]
    packer, other = by_name["Packer"], by_name["Other"]
    # X and Y: X's 0.800 kg and the box, and Y's bamboo 0.200 and virgin plastic 0.100.
    assert packer["packaging"] == {
        **NONE_USED,
        "cardboard": "0.450",
        "moulded_pulp": "0.300",
        "bamboo": "0.200",
        "recycled_plastic": "0.050",
        "virgin_plastic": "0.100",
    }
    assert (packer["packaging_kg"], packer["packaging_plastic_share"], packer["reusable_boxes"]) == (
        "1.100",
        "0.1364",  # 0.150 ÷ 1.100 = 0.13636…
        1,
    )
    assert (packer["contracts"], packer["devices"], packer["service_days"]) == (2, 0, 0)
    assert other["packaging"] == {**NONE_USED, "cardboard": "0.500"}
    assert (other["packaging_plastic_share"], other["reusable_boxes"]) == ("0.0000", 0)
    assert (other["contracts"], other["devices"]) == (1, 1)  # its device's figures are there too
    assert Decimal(other["allocated_co2e_kg"]) > 0

    total = body["total"]
    assert total["packaging"] == {
        **NONE_USED,
        "cardboard": "0.950",
        "moulded_pulp": "0.300",
        "bamboo": "0.200",
        "recycled_plastic": "0.050",
        "virgin_plastic": "0.100",
    }
    # The share of the sums (0.150 ÷ 1.600 = 0.09375), not the mean of the customers' shares.
    assert (total["packaging_kg"], total["packaging_plastic_share"], total["reusable_boxes"]) == (
        "1.600",
        "0.0938",
        1,
    )
    assert (total["customers"], total["contracts"]) == (2, 3)

    response = client.get(f"/api/v1/impact/report.csv?{WINDOW}", headers=headers)
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert tuple(reader.fieldnames or ()) == REPORT_COLUMNS
    assert REPORT_COLUMNS[-len(PACKAGING_COLUMNS) :] == PACKAGING_COLUMNS
    rows = {row["name"] or row["row"]: row for row in reader}
    assert (rows["Packer"]["packaging_bamboo_kg"], rows["Packer"]["packaging_plastic_share"]) == (
        "0.200",
        "0.1364",
    )
    assert (rows["total"]["packaging_kg"], rows["total"]["reusable_boxes"]) == ("1.600", "1")
    assert rows["provider_residual"]["packaging_kg"] == ""
    # A spreadsheet's sum of the customer rows is the total row.
    for column in PACKAGING_COLUMNS:
        if column != "packaging_plastic_share":
            summed = sum(Decimal(rows[name][column]) for name in ("Packer", "Other"))
            assert summed == Decimal(rows["total"][column]), column


def test_the_report_from_the_command_line_shows_the_packaging(app, deliveries):
    result = app.test_cli_runner().invoke(
        args=["daas", "impact", "report", "--from", "2026-03-01", "--to", "2026-04-30"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["total"]["packaging_kg"], report["total"]["packaging_plastic_share"]) == (
        "1.600",
        "0.0938",
    )
    [packer] = [item for item in report["customers"] if item["customer_id"] == deliveries["packer"]]
    assert packer["packaging"]["moulded_pulp"] == "0.300"


def test_the_pdf_and_the_portal_show_the_packaging(app, client, deliveries):
    pdf = client.get(
        f"/api/v1/contracts/{deliveries['X']}/impact.pdf?{WINDOW}", headers=bearer(deliveries["customer"])
    )
    assert pdf.status_code == 200
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("Packaging delivered", "Cardboard 0.450", "Moulded pulp 0.300", "Total 0.800"):
        assert expected in text, expected
    assert "Of it plastic (recycled and virgin) 6.25 %" in text
    assert "Shipments in a reusable box (0 kg) 1" in text
    assert "Bamboo" not in text  # materials not used are left out of the table

    db.session.commit()  # the signed-in client reads through the app's own session
    portal, _ = signed_in(app, "customer", deliveries["packer"])
    page = portal.get(f"/portal/subscriptions/{deliveries['X']}/impact").get_data(as_text=True)
    assert '<th scope="row">Moulded pulp</th><td class="num">0.300</td>' in page
    assert 'id="packaging-kg">2.100<' in page  # the whole contract
    assert 'id="plastic-share">11.90 %<' in page
    assert 'id="reusable-boxes">1<' in page
    assert "Virgin plastic" in page and "Bamboo" not in page

    nothing = factories.contract(deliveries["packer"], factories.plan().code, date(2026, 1, 1))
    db.session.commit()
    empty = portal.get(f"/portal/subscriptions/{nothing.id}/impact").get_data(as_text=True)
    assert "No packaging has been delivered to this subscription yet." in empty
    assert 'id="packaging-kg"' not in empty

    january = client.get(
        f"/api/v1/contracts/{deliveries['X']}/impact.pdf?from=2026-01-01&to=2026-01-31",
        headers=bearer(deliveries["customer"]),
    )
    january_text = " ".join(PdfReader(io.BytesIO(january.data)).pages[0].extract_text().split())
    assert "No packaging was delivered to this subscription in the period." in january_text


def test_the_figures_are_exact_and_the_share_is_recomputed_from_the_sums():
    one = packaging_figures({"cardboard": Decimal("0.1"), "virgin_plastic": Decimal("0.2")}, 2)
    assert (one["packaging_kg"], one["packaging_plastic_share"]) == (Decimal("0.300"), Decimal("0.6667"))
    two = packaging_figures({"recycled_plastic": Decimal("0.300")})
    assert two["packaging_plastic_share"] == Decimal("1.0000")
    both = add_packaging([one, two])
    assert both["packaging"]["virgin_plastic"] == Decimal("0.200")
    assert (both["packaging_kg"], both["packaging_plastic_share"], both["reusable_boxes"]) == (
        Decimal("0.600"),
        Decimal("0.8333"),  # 0.500 ÷ 0.600, not the mean of 0.6667 and 1
        2,
    )
    nothing = packaging_figures({}, 3)
    assert (nothing["packaging_kg"], nothing["packaging_plastic_share"]) == (Decimal("0.000"), None)
    assert (share_percent(Decimal("0.0625")), share_percent(None)) == ("6.25 %", "-")
    with pytest.raises(ValueError, match="styrofoam"):
        packaging_figures({"styrofoam": Decimal("1")})
