"""The grid factor table's lookup, and grid factors read from CSV (the bundled data file and uploads)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from daas.core.errors import Invalid
from daas.impact.grid_factor_csv import factors_from_csv
from daas.impact.grid_factor_sets import load_bundled_grid_factors, validated_factors
from daas.impact.grid_factors import GridFactorTable

EU_27 = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"} | {
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
}

HEADER = "country,year,kg_per_kwh,source,source_version,url\n"


def _table() -> GridFactorTable:
    return GridFactorTable.from_json(
        3,
        {
            "DE": {
                "2021": {"kg_per_kwh": "0.39464", "source": "Ember", "source_version": "r1"},
                "2023": {"kg_per_kwh": "0.36292", "source": "Ember", "source_version": "r1"},
            }
        },
    )


def test_a_published_year_is_its_own_factor():
    factor = _table().factor_for("de", 2023)
    assert (factor.country, factor.year, factor.kg_per_kwh, factor.source) == (
        "DE",
        2023,
        Decimal("0.36292"),
        "Ember",
    )


def test_a_year_not_published_takes_the_latest_earlier_one_else_the_earliest():
    table = _table()
    assert table.factor_for("DE", 2022).year == 2021
    assert table.factor_for("DE", 2026).kg_per_kwh == Decimal("0.36292")
    assert table.factor_for("DE", 2019).year == 2021
    assert table.factor_for("FR", 2023) is None


def test_the_table_round_trips_through_its_json():
    table = _table()
    assert GridFactorTable.from_json(3, table.to_json()) == table


def test_the_bundled_file_covers_eu_27_gb_no_ch_us_for_2021_to_2024():
    factors = load_bundled_grid_factors()
    assert set(factors) == EU_27 | {"GB", "NO", "CH", "US"}
    assert {country: sorted(years) for country, years in factors.items()} == {
        country: ["2021", "2022", "2023", "2024"] for country in factors
    }
    # Ember via Our World in Data: Germany 362.92 g, Poland 650.68 g, France 53.26 g per kWh in 2023.
    assert factors["DE"]["2023"]["kg_per_kwh"] == "0.36292"
    assert factors["PL"]["2023"]["kg_per_kwh"] == "0.65068"
    assert factors["FR"]["2023"]["kg_per_kwh"] == "0.05326"
    assert factors["US"]["2024"]["kg_per_kwh"] == "0.38378"
    assert all(
        entry["source"] and entry["source_version"] for years in factors.values() for entry in years.values()
    )


def test_a_csv_becomes_the_stored_shape_without_its_url():
    text = (
        HEADER + "de,2023,0.36292,Ember,2025 release,https://ember.example/de\nNO,2023,0.03046,Ember,2025,\n"
    )
    assert validated_factors(factors_from_csv(text)) == {
        "DE": {"2023": {"kg_per_kwh": "0.36292", "source": "Ember", "source_version": "2025 release"}},
        "NO": {"2023": {"kg_per_kwh": "0.03046", "source": "Ember", "source_version": "2025"}},
    }


def test_a_csv_without_a_needed_column_or_with_a_row_twice_is_refused():
    with pytest.raises(Invalid) as missing:
        factors_from_csv("country,year,kg_per_kwh\nDE,2023,0.36\n")
    assert missing.value.errors == {"file": ["missing source, source_version"]}
    with pytest.raises(Invalid) as twice:
        factors_from_csv(HEADER + "DE,2023,0.36,E,1,\nDE,2023,0.37,E,1,\n")
    assert twice.value.errors == {"file": ["line 3: duplicate"]}
    with pytest.raises(Invalid):
        factors_from_csv(HEADER)


@pytest.mark.parametrize(
    ("factors", "field"),
    [
        (
            {"DE": {"2023": {"kg_per_kwh": "2.5", "source": "E", "source_version": "1"}}},
            "factors.DE.2023.kg_per_kwh",
        ),
        (
            {"DE": {"2023": {"kg_per_kwh": "-0.1", "source": "E", "source_version": "1"}}},
            "factors.DE.2023.kg_per_kwh",
        ),
        (
            {"DE": {"2023": {"kg_per_kwh": "abc", "source": "E", "source_version": "1"}}},
            "factors.DE.2023.kg_per_kwh",
        ),
        (
            {"DE": {"2023": {"kg_per_kwh": "0.3", "source": " ", "source_version": "1"}}},
            "factors.DE.2023.source",
        ),
        ({"DE": {"2023": {"kg_per_kwh": "0.3", "source": "E"}}}, "factors.DE.2023.source_version"),
        ({"XX": {"2023": {"kg_per_kwh": "0.3", "source": "E", "source_version": "1"}}}, "factors.XX"),
        ({"DE": {"1989": {"kg_per_kwh": "0.3", "source": "E", "source_version": "1"}}}, "factors.DE.1989"),
        ({"DE": {"2_023": {"kg_per_kwh": "0.3", "source": "E", "source_version": "1"}}}, "factors.DE.2_023"),
        (
            {"DE": {"2023": {"kg_per_kwh": "0.1234567", "source": "E", "source_version": "1"}}},
            "factors.DE.2023.kg_per_kwh",
        ),
        (
            {"DE": {"2023": {"kg_per_kwh": "NaN", "source": "E", "source_version": "1"}}},
            "factors.DE.2023.kg_per_kwh",
        ),
        ({"DE": {}}, "factors.DE"),
        ({}, "factors"),
    ],
)
def test_a_factor_that_breaks_a_rule_is_named(factors, field):
    with pytest.raises(Invalid) as refused:
        validated_factors(factors)
    assert list(refused.value.errors) == [field]


def test_a_json_number_is_kept_as_the_decimal_written():
    stored = validated_factors({"SE": {2023: {"kg_per_kwh": 0.03842, "source": "E", "source_version": "1"}}})
    assert stored == {"SE": {"2023": {"kg_per_kwh": "0.03842", "source": "E", "source_version": "1"}}}
