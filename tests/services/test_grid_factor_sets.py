"""Stored grid factor sets: version 1 comes with the migrations; a new version is the next number and is
what reports use from then on; a refused one stores nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from daas.core.errors import Invalid
from daas.impact.grid_factor_sets import (
    create_grid_factor_set,
    latest_grid_factors,
    list_grid_factor_sets,
    load_bundled_grid_factors,
)

ACTOR = "admin@daas.test"


def test_a_migrated_database_holds_version_1_from_the_bundled_file(database):
    table = latest_grid_factors()
    assert table.version == 1
    germany = table.factor_for("DE", 2023)
    assert (germany.kg_per_kwh, germany.year) == (Decimal("0.36292"), 2023)
    assert "Ember" in germany.source
    [first] = list_grid_factor_sets()
    assert first.created_by == "migration 0020"
    assert first.factors == load_bundled_grid_factors()


def test_a_new_version_is_the_next_number_and_the_latest(database):
    created = create_grid_factor_set(
        {"DE": {"2024": {"kg_per_kwh": "0.33638", "source": "Ember", "source_version": "2025"}}},
        " UBA ",
        ACTOR,
    )
    assert (created.version, created.note, created.created_by) == (2, "UBA", ACTOR)
    table = latest_grid_factors()
    assert table.version == 2
    assert table.factor_for("DE", 2024).kg_per_kwh == Decimal("0.33638")
    assert table.factor_for("FR", 2024) is None
    assert [s.version for s in list_grid_factor_sets()] == [1, 2]


def test_a_refused_set_stores_nothing(database):
    with pytest.raises(Invalid) as refused:
        create_grid_factor_set(
            {"DE": {"2023": {"kg_per_kwh": "3", "source": "E", "source_version": "1"}}}, None, ACTOR
        )
    assert "factors.DE.2023.kg_per_kwh" in refused.value.errors
    assert [s.version for s in list_grid_factor_sets()] == [1]
