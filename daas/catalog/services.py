"""Device models: create, change, find, and import footprint files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from daas.catalog.footprints import ModelFigures, Skipped, open_rows, read_rows
from daas.catalog.models import DeviceModel
from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import fetch_page
from daas.extensions import db

DEFAULT_CATALOG = Path(__file__).parent / "data" / "default_catalog.csv"
_FIGURES = (
    "name",
    "category",
    "manufacturer",
    "weight_kg",
    "embodied_co2e_kg",
    "use_kwh_per_year",
    "expected_lifetime_months",
    "source",
)


def create_device_model(values: dict[str, Any]) -> DeviceModel:
    if db.session.scalar(select(DeviceModel.id).where(DeviceModel.sku == values["sku"])) is not None:
        raise Conflict(f"A device model {values['sku']} already exists.", errors={"sku": ["Already exists."]})
    model = DeviceModel(**values)
    db.session.add(model)
    db.session.flush()
    return model


def update_device_model(model_id: int, changes: dict[str, Any]) -> DeviceModel:
    model = get_device_model(model_id)
    for name, value in changes.items():
        setattr(model, name, value)
    db.session.flush()
    return model


def get_device_model(model_id: int) -> DeviceModel:
    model = db.session.get(DeviceModel, model_id)
    if model is None:
        raise NotFound(f"No device model {model_id}.")
    return model


def find_device_model(sku: str, field_name: str = "sku") -> DeviceModel:
    """The model with this SKU; an unknown SKU in a request is invalid input on `field_name`."""
    model = db.session.scalar(select(DeviceModel).where(DeviceModel.sku == sku))
    if model is None:
        raise Invalid.field(field_name, f"Unknown device model {sku}.")
    return model


def list_device_models(
    category: str | None = None, manufacturer: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[DeviceModel], int]:
    query = select(DeviceModel)
    if category:
        query = query.where(DeviceModel.category == category)
    if manufacturer:
        query = query.where(DeviceModel.manufacturer == manufacturer)
    return fetch_page(query.order_by(DeviceModel.sku), offset, limit)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.created + self.updated + self.unchanged

    def reasons(self) -> Counter[str]:
        """Kinds of skip reasons with their counts."""
        return Counter(skip.kind for skip in self.skipped)


def _upsert(figures: ModelFigures, known: dict[str, DeviceModel], report: ImportReport) -> None:
    values = {name: getattr(figures, name) for name in _FIGURES}
    model = known.get(figures.sku)
    if model is None:
        known[figures.sku] = DeviceModel(sku=figures.sku, **values)
        db.session.add(known[figures.sku])
        report.created += 1
    elif any(getattr(model, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(model, name, value)
        report.updated += 1
    else:
        report.unchanged += 1


def import_footprints(
    rows: Iterable[ModelFigures | Skipped], on_row: Callable[[], None] | None = None
) -> ImportReport:
    """Create or update one device model per usable row (keyed by SKU); importing twice changes nothing."""
    report = ImportReport()
    known = {model.sku: model for model in db.session.scalars(select(DeviceModel))}
    for result in rows:
        if isinstance(result, Skipped):
            report.skipped.append(result)
        else:
            _upsert(result, known, report)
        if on_row:
            on_row()
    db.session.flush()
    return report


def import_footprint_file(path: Path, on_row: Callable[[], None] | None = None) -> ImportReport:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return import_footprints(read_rows(open_rows(stream)), on_row)


def load_default_catalog() -> ImportReport:
    """The catalog daas ships: real models from published footprint sheets (data/README.md)."""
    return import_footprint_file(DEFAULT_CATALOG)
