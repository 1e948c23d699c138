"""The catalog use cases commit what they did and leave nothing of what they refused: a device model
added or corrected, and a footprint import, all of it or none."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.catalog.footprints import ModelFigures, Skipped
from daas.catalog.models import DeviceModel
from daas.core.errors import Conflict, NotFound
from daas.extensions import db
from daas.usecases import catalog as use_cases
from tests import factories

LAPTOP = {
    "sku": "UC-LAT-5430",
    "name": "Latitude 5430",
    "category": "laptop",
    "manufacturer": "Dell",
    "weight_kg": Decimal("1.360"),
    "embodied_co2e_kg": Decimal("252.840"),
    "use_kwh_per_year": Decimal("23.360"),
    "expected_lifetime_months": 48,
}


def _figures(line: int, sku: str, embodied: str = "200.000") -> ModelFigures:
    return ModelFigures(
        line=line,
        sku=sku,
        name=f"Model {sku}",
        category="laptop",
        manufacturer="Dell",
        weight_kg=Decimal("1.500"),
        embodied_co2e_kg=Decimal(embodied),
        use_kwh_per_year=Decimal("20.000"),
        expected_lifetime_months=48,
        source=None,
    )


def _model(sku: str) -> DeviceModel | None:
    return db.session.scalar(select(DeviceModel).where(DeviceModel.sku == sku))


def test_create_device_model_commits_it(database):
    model = use_cases.create_device_model(LAPTOP)
    db.session.rollback()  # nothing left open: the use case committed
    stored = db.session.get(DeviceModel, model.id)
    assert (stored.sku, stored.embodied_co2e_kg, stored.expected_lifetime_months) == (
        "UC-LAT-5430",
        Decimal("252.840"),
        48,
    )


def test_a_taken_sku_is_refused_and_the_first_model_stays(database):
    use_cases.create_device_model(LAPTOP)
    with pytest.raises(Conflict):
        use_cases.create_device_model({**LAPTOP, "name": "Another"})
    assert db.session.scalar(select(func.count(DeviceModel.id)).where(DeviceModel.sku == LAPTOP["sku"])) == 1
    assert _model(LAPTOP["sku"]).name == "Latitude 5430"


def test_update_device_model_commits_the_corrected_figures(database):
    model = factories.device_model()
    db.session.commit()
    use_cases.update_device_model(model.id, {"embodied_co2e_kg": Decimal("300.500"), "source": "sheet v2"})
    db.session.rollback()
    stored = db.session.get(DeviceModel, model.id)
    assert (stored.embodied_co2e_kg, stored.source) == (Decimal("300.500"), "sheet v2")
    with pytest.raises(NotFound):
        use_cases.update_device_model(model.id + 1000, {"name": "Nothing"})


def test_import_creates_updates_and_reports_then_changes_nothing_the_second_time(database):
    existing = factories.device_model(sku="UC-KNOWN", embodied_co2e_kg=Decimal("100.000"))
    db.session.commit()
    rows = [
        _figures(2, "UC-NEW-1"),
        _figures(3, "UC-KNOWN", embodied="150.000"),
        Skipped(4, "Dell Broken", "weight missing", "weight missing"),
    ]
    ticks: list[int] = []
    report = use_cases.import_footprints(rows, on_row=lambda: ticks.append(1))
    db.session.rollback()
    assert (report.created, report.updated, report.unchanged, len(report.skipped)) == (1, 1, 0, 1)
    assert len(ticks) == 3
    assert _model("UC-NEW-1").embodied_co2e_kg == Decimal("200.000")
    assert db.session.get(DeviceModel, existing.id).embodied_co2e_kg == Decimal("150.000")
    again = use_cases.import_footprints(rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_an_import_that_fails_part_way_leaves_the_catalog_as_it_was(database):
    before = db.session.scalar(select(func.count(DeviceModel.id)))

    def rows() -> Iterator[ModelFigures | Skipped]:
        yield _figures(2, "UC-HALF-1")
        yield _figures(3, "UC-HALF-2")
        raise OSError("the upload was cut off")

    with pytest.raises(OSError, match="cut off"):
        use_cases.import_footprints(rows())
    assert db.session.scalar(select(func.count(DeviceModel.id))) == before
    assert _model("UC-HALF-1") is None
