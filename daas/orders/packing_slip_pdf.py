"""The packing slip that travels with a shipment, in the house style (daas.core.pdf): the order, where it
goes and on which day, each device with a Code 128 barcode of its serial (what the warehouse and the
receiving desk scan), and the packaging. Pure: it renders the document it is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from daas.core.pdf import (
    BODY,
    BOLD,
    FONT,
    HEADER_BG,
    LABEL,
    RULE,
    SMALL,
    WIDTH,
    NumberedCanvas,
    draw_footer,
    facts_table,
    para,
    render_pages,
)

_TITLE = ParagraphStyle("slip-title", parent=BODY, fontName=BOLD, fontSize=16, leading=20, spaceAfter=4)
_HEAD = ParagraphStyle("slip-head", parent=BODY, fontName=BOLD, fontSize=11, spaceBefore=8, spaceAfter=4)


@dataclass(frozen=True)
class SlipDevice:
    serial: str
    sku: str
    name: str
    person: str | None


@dataclass(frozen=True)
class PackingSlip:
    shipment_id: int
    order_id: int
    customer: str
    contract: str
    address: list[str]
    region: str
    delivery_date: date | None
    devices: list[SlipDevice]
    packaging: list[tuple[str, Decimal]]
    reusable_box_id: str | None
    return_order_id: int | None


def _barcode(serial: str) -> Code128:
    code = Code128(serial, barHeight=11 * mm, barWidth=0.28 * mm, humanReadable=True)
    code.fontName, code.fontSize = FONT, 7
    return code


def _devices_table(devices: list[SlipDevice]) -> Table:
    rows: list[list[object]] = [[para(text, LABEL) for text in ("Serial", "Device", "For", "Barcode")]]
    for device in devices:
        rows.append(
            [
                para(device.serial),
                para(f"{device.name} ({device.sku})"),
                para(device.person or "-"),
                _barcode(device.serial),
            ]
        )
    table = Table(rows, colWidths=[34 * mm, 50 * mm, 34 * mm, WIDTH - 118 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 1), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
            ]
        )
    )
    return table


def _packaging(slip: PackingSlip) -> list[Flowable]:
    if slip.reusable_box_id:
        return [para(f"Reusable box {slip.reusable_box_id}: return it with the next collection.")]
    total = sum((kg for _, kg in slip.packaging), Decimal(0))
    lines = [f"{material.replace('_', ' ')}: {kg:.3f} kg" for material, kg in slip.packaging]
    return [para("; ".join(lines) + f". Total {total:.3f} kg.")]


def render_packing_slip(slip: PackingSlip) -> bytes:
    title = f"Packing slip, shipment {slip.shipment_id}"
    story: list[Flowable] = [
        para(title, _TITLE),
        para(f"Order {slip.order_id} for {slip.customer}", SMALL),
        Spacer(1, 4 * mm),
        facts_table(
            [
                ("Order", str(slip.order_id)),
                ("Contract", slip.contract),
                ("Customer", slip.customer),
                ("Deliver to", "\n".join(slip.address)),
                ("Region", slip.region),
                ("Delivery date", slip.delivery_date.isoformat() if slip.delivery_date else "not booked yet"),
                ("Devices", str(len(slip.devices))),
                ("Exchange for", f"return order {slip.return_order_id}" if slip.return_order_id else "-"),
            ]
        ),
        para("Devices", _HEAD),
        _devices_table(slip.devices),
        para("Packaging", _HEAD),
        *_packaging(slip),
    ]
    footer = f"{title} | order {slip.order_id} | {slip.customer}"
    return render_pages(
        story,
        title=title,
        author="daas",
        subject=f"{title} (order {slip.order_id})",
        canvasmaker=partial(
            NumberedCanvas,
            decorate=lambda canvas, page, pages: draw_footer(canvas, footer, f"Page {page} of {pages}"),
        ),
    )
