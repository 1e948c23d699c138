"""Device models: create, change (their figures, list values and buy-out floor), find, and import
footprint files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from daas.catalog.footprints import ModelFigures, Skipped, open_rows, read_rows
from daas.catalog.models import DeviceModel, DeviceModelListValue
from daas.core import money
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


# What a list value may be: the Money column's room (18 digits, 2 decimals).
LIST_VALUE_LIMIT = Decimal(10) ** 12
LIST_VALUES_FIELD = "list_values"


def _list_value_problems(values: Mapping[str, Decimal]) -> dict[str, list[str]]:
    """Currency -> what is wrong with its list value: a currency daas bills in, more than 0, with at most
    the currency's decimals."""
    problems: dict[str, list[str]] = {}
    for currency, amount in values.items():
        if not money.is_known_currency(currency):
            known = ", ".join(sorted(money.CURRENCY_EXPONENTS))
            problems[currency] = [f"Unknown currency; use one of {known}."]
        elif money.decimal_places(amount) > money.exponent(currency):
            problems[currency] = [f"{currency} amounts have {money.exponent(currency)} decimals."]
        elif amount <= 0:
            problems[currency] = ["Must be more than 0."]
        elif amount >= LIST_VALUE_LIMIT:
            problems[currency] = [f"Must be less than {LIST_VALUE_LIMIT:f}."]
    return problems


def _check_floor_share(values: Mapping[str, Any]) -> None:
    share = values.get("floor_share")
    if share is not None and not 0 <= share <= 1:
        raise Invalid.field("floor_share", "From 0 to 1.")


def _replace_list_values(model: DeviceModel, values: Mapping[str, Decimal]) -> None:
    """The model's list values become `values` (a currency left out has none any more)."""
    problems = _list_value_problems(values)
    if problems:
        raise Invalid(
            f"{LIST_VALUES_FIELD}: {', '.join(sorted(problems))} not accepted.",
            errors={LIST_VALUES_FIELD: problems},
        )
    db.session.execute(delete(DeviceModelListValue).where(DeviceModelListValue.device_model_id == model.id))
    db.session.add_all(
        DeviceModelListValue(device_model_id=model.id, currency=currency, amount=amount)
        for currency, amount in sorted(values.items())
    )
    db.session.flush()
    db.session.expire(model, ["list_value_rows"])


def create_device_model(values: dict[str, Any]) -> DeviceModel:
    """A new model; `list_values` (currency -> amount) and `floor_share` are optional."""
    values = dict(values)
    list_values = values.pop(LIST_VALUES_FIELD, None) or {}
    _check_floor_share(values)
    if db.session.scalar(select(DeviceModel.id).where(DeviceModel.sku == values["sku"])) is not None:
        raise Conflict(f"A device model {values['sku']} already exists.", errors={"sku": ["Already exists."]})
    model = DeviceModel(**values)
    db.session.add(model)
    db.session.flush()
    _replace_list_values(model, list_values)
    return model


def update_device_model(model_id: int, changes: dict[str, Any]) -> DeviceModel:
    """Change a model's figures; `list_values`, when given, replace the model's (all of them)."""
    changes = dict(changes)
    list_values = changes.pop(LIST_VALUES_FIELD, None)
    _check_floor_share(changes)
    model = get_device_model(model_id)
    for name, value in changes.items():
        setattr(model, name, value)
    db.session.flush()
    if list_values is not None:
        _replace_list_values(model, list_values)
    return model


def list_value(model_id: int, currency: str) -> Decimal | None:
    """What a new device of the model costs in `currency`, or None when the model has no such value."""
    return db.session.scalar(
        select(DeviceModelListValue.amount).where(
            DeviceModelListValue.device_model_id == model_id, DeviceModelListValue.currency == currency
        )
    )


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
