"""Packaging delivered to a subscription, as its impact statement shows it: kilograms of every packaging
material, their total, the share of plastic in that total, and how many shipments came in a reusable box
(which adds no kilograms). Pure: the kilograms come in, already summed per material by
daas.impact.delivered_packaging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from daas.orders.lifecycle import PACKAGING_MATERIALS, PLASTIC_MATERIALS

KG = Decimal("0.001")
SHARE = Decimal("0.0001")  # a share of 1 is 100 %: four decimals are a hundredth of a percent
SHARE_PLACES = 4
FIELDS = ("packaging", "packaging_kg", "packaging_plastic_share", "reusable_boxes")


def packaging_figures(kg_by_material: Mapping[str, Decimal], reusable_boxes: int = 0) -> dict[str, Any]:
    """Every material of PACKAGING_MATERIALS with its kilograms (0.000 when none was used), the total, the
    plastic share (recycled and virgin plastic ÷ the total, None when nothing was weighed) and the
    reusable boxes."""
    unknown = sorted(set(kg_by_material) - set(PACKAGING_MATERIALS))
    if unknown:
        raise ValueError(f"Unknown packaging materials: {', '.join(unknown)}.")
    packaging = {
        material: Decimal(kg_by_material.get(material) or 0).quantize(KG) for material in PACKAGING_MATERIALS
    }
    total = sum(packaging.values(), Decimal("0.000"))
    plastic = sum((packaging[material] for material in PLASTIC_MATERIALS), Decimal("0.000"))
    share = None if total.is_zero() else (plastic / total).quantize(SHARE, rounding=ROUND_HALF_UP)
    return {
        "packaging": packaging,
        "packaging_kg": total,
        "packaging_plastic_share": share,
        "reusable_boxes": reusable_boxes,
    }


def add_packaging(figures: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Several statements' packaging added up: the kilograms per material and the boxes are summed, and
    the share is computed again from the sums (it is not an average of the shares)."""
    kg = dict.fromkeys(PACKAGING_MATERIALS, Decimal("0.000"))
    boxes = 0
    for item in figures:
        for material, value in item["packaging"].items():
            kg[material] += value
        boxes += item["reusable_boxes"]
    return packaging_figures(kg, boxes)


def material_label(material: str) -> str:
    """ "recycled_plastic" reads "Recycled plastic"."""
    return material.replace("_", " ").capitalize()


def share_percent(share: Decimal | None) -> str:
    """A share as a percentage with two decimals ("6.25 %"), or "-" when there is no packaging to share."""
    if share is None:
        return "-"
    return f"{(share * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} %"
