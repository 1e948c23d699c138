"""The device catalog: adding and correcting a device model, and importing a footprint file, as the API,
the admin pages and `flask daas catalog import` start them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from daas.catalog import services
from daas.catalog.footprints import ModelFigures, Skipped
from daas.catalog.models import DeviceModel
from daas.catalog.services import ImportReport
from daas.usecases.transaction import use_case


@use_case
def create_device_model(values: dict[str, Any]) -> DeviceModel:
    """A new device model (its SKU not taken yet)."""
    return services.create_device_model(values)


@use_case
def update_device_model(model_id: int, changes: dict[str, Any]) -> DeviceModel:
    """Correct a device model's figures."""
    return services.update_device_model(model_id, changes)


@use_case
def import_footprints(
    rows: Iterable[ModelFigures | Skipped], on_row: Callable[[], None] | None = None
) -> ImportReport:
    """Create or update a device model per usable row of a footprint file, all or nothing: a file that
    fails part-way (an unreadable row, a lost connection) leaves the catalog as it was."""
    return services.import_footprints(rows, on_row)
