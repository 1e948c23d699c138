"""The Boavizta footprint importer: which rows are kept, which are skipped and why, and the figures.

Reads only files inside the repository: tests/data/boavizta-sample.csv (26 rows of the real data set,
see tests/data/README.md) and the default catalog daas ships.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.catalog.footprints import (
    SKU_MAX,
    FormatError,
    ModelFigures,
    Skipped,
    derive_sku,
    open_rows,
    read_row,
    read_rows,
)

SAMPLE = Path(__file__).parents[1] / "data" / "boavizta-sample.csv"
DEFAULT_CATALOG = Path(__file__).parents[2] / "daas" / "catalog" / "data" / "default_catalog.csv"


def read_file(path: Path) -> list[ModelFigures | Skipped]:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return list(read_rows(open_rows(stream)))


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(newline="", encoding="utf-8-sig") as stream:
        return list(open_rows(stream))


@pytest.fixture(scope="module")
def sample() -> dict[int, ModelFigures | Skipped]:
    """The sample's results by line number (line 1 is the header)."""
    return {result.line: result for result in read_file(SAMPLE)}


def good_row(**changes: str) -> dict[str, str]:
    """A plausible laptop row in the Boavizta format, with `changes` applied."""
    row = {
        "manufacturer": "Dell",
        "name": "Latitude 3120",
        "subcategory": "Laptop",
        "gwp_total": "231.0",
        "gwp_use_ratio": "0.133",
        "gwp_manufacturing_ratio": "0.823",
        "gwp_transport_ratio": "0",
        "gwp_eol_ratio": "0",
        "yearly_tec": "14.76",
        "lifetime": "4.0",
        "weight": "1.38",
        "sources": "https://example.org/pcf.pdf",
    }
    row.update(changes)
    return row


# -- the sample of the real data set -------------------------------------------------------------------

KEPT = {
    5: ("DELL-AW2518H-MONITOR", "monitor"),
    6: ("DELL-C2423H-MONITOR", "monitor"),
    7: ("DELL-E2218HN-MONITOR", "monitor"),
    8: ("DELL-LATITUDE-3120", "laptop"),
    9: ("DELL-OPTIPLEX-5090-TOWER", "desktop"),
    12: ("DELL-WYSE-3030-THIN-CLIENT", "desktop"),
    13: ("DELL-WYSE-3040-THIN-CLIENT", "desktop"),  # 0.24 kg: light, but real
    16: ("GOOGLE-PIXEL-4A", "phone"),
    17: ("GOOGLE-PIXEL-SLATE", "tablet"),
    20: ("HP-ENVY-34-INCH-ALL-IN-ONE-DESKTOP-PC-34-C", "desktop"),
    21: ("HP-Z22N-G2-21-5-INCH-MONITOR", "monitor"),
    24: ("MICROSOFT-SURFACE-BOOK-2-13-5-INCH-DISPLAY", "laptop"),
    25: ("MICROSOFT-SURFACE-LAPTOP-3-15-INCH-DISPLAY-ALCANTARA-PALM-REST", "laptop"),
    26: ("MICROSOFT-SURFACE-PRO-8", "tablet"),
}

SKIPPED = {
    2: ("Apple iPad (9th generation) Wi-Fi + Cellular with 64GB", "weight missing"),
    3: ("Apple iPad (9th generation) Wi-Fi + Cellular with 64GB", "weight missing"),
    4: ("Apple iPhone 13 with 128GB", "weight missing"),
    10: ("Dell OptiPlex 7070 Ultra", "gwp_manufacturing_ratio not a share"),
    11: ("Dell PowerEdge C4130", "category not rented (Server)"),
    14: ("Fairphone Fairphone 4", "phase shares add up to more than 1"),
    15: ("Google Pixel 2", "yearly_tec missing"),
    18: ("Google Pixelbook Go", "lifetime missing"),
    19: ("HP 17 Laptop PC", "no phase split (gwp_use_ratio or gwp_manufacturing_ratio)"),
    22: ("Lenovo ThinkPad T540p", "weight implausible for a laptop"),
    23: ("Lexmark B3340dw", "category not rented (Printer)"),
    27: ("Samsung Galaxy S20 FE (SM-G781B)", "yearly_tec missing"),
}


def test_sample_keeps_and_skips_exactly_the_expected_lines(sample: dict[int, ModelFigures | Skipped]) -> None:
    assert sorted(sample) == list(range(2, 28))
    kept = {line: (r.sku, r.category) for line, r in sample.items() if isinstance(r, ModelFigures)}
    skipped = {line: (r.label, r.kind) for line, r in sample.items() if isinstance(r, Skipped)}
    assert kept == KEPT
    assert skipped == SKIPPED


def test_sample_covers_every_rented_category(sample: dict[int, ModelFigures | Skipped]) -> None:
    categories = {r.category for r in sample.values() if isinstance(r, ModelFigures)}
    assert categories == {"laptop", "desktop", "monitor", "phone", "tablet"}


def test_implausible_weight_says_what_it_is(sample: dict[int, ModelFigures | Skipped]) -> None:
    thinkpad = sample[22]
    assert isinstance(thinkpad, Skipped)
    assert thinkpad.reason == "weight 15.6 kg is implausible for a laptop (0.5 to 5 kg)"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (4, "weight missing"),
        (10, "gwp_manufacturing_ratio 7.76 is not a share between 0 and 1"),
        (11, "category 'Server' is not a device daas rents"),
        (14, "phase shares add up to more than 1"),  # 0.248 + 0.737 + 0.047 + 0.042 = 1.074
        (18, "lifetime missing"),
        (23, "category 'Printer' is not a device daas rents"),
    ],
)
def test_skip_reasons(sample: dict[int, ModelFigures | Skipped], line: int, reason: str) -> None:
    result = sample[line]
    assert isinstance(result, Skipped)
    assert result.reason == reason


def test_figures_of_a_laptop(sample: dict[int, ModelFigures | Skipped]) -> None:
    latitude = sample[8]
    assert latitude == ModelFigures(
        line=8,
        sku="DELL-LATITUDE-3120",
        name="Latitude 3120",
        category="laptop",
        manufacturer="Dell",
        weight_kg=Decimal("1.380"),
        embodied_co2e_kg=Decimal("200.277"),  # 231.0 × (1 − 0.133)
        use_kwh_per_year=Decimal("14.760"),
        expected_lifetime_months=48,  # 4.0 years
        source="https://www.delltechnologies.com/asset/en-us/products/laptops-and-2-in-1s/"
        "technical-support/latitude-3120-pcf-datasheet.pdf",
    )


@pytest.mark.parametrize(
    ("line", "embodied", "months"),
    [
        (5, "465.118", 72),  # 626 × (1 − 0.2570) = 465.118
        (6, "445.170", 72),  # 570.0 × (1 − 0.21899999999999997) = 445.17000000000001710
        (7, "303.296", 72),  # no use share: 448.0 × 0.677 (manufacturing only)
        (9, "239.979", 48),  # no use share: 501.0 × 0.479
        (16, "35.550", 36),  # 45.0 × (1 − 0.21)
        (21, "442.578", 60),  # 575.0 × (1 − 0.2303) = 442.5775, half up
        (26, "118.017", 36),  # 141.0 × (1 − 0.163)
    ],
)
def test_embodied_footprint_to_the_gram(
    sample: dict[int, ModelFigures | Skipped], line: int, embodied: str, months: int
) -> None:
    result = sample[line]
    assert isinstance(result, ModelFigures)
    assert result.embodied_co2e_kg == Decimal(embodied)
    assert str(result.embodied_co2e_kg) == embodied
    assert result.expected_lifetime_months == months


def test_name_whitespace_is_collapsed(sample: dict[int, ModelFigures | Skipped]) -> None:
    surface_book = sample[24]  # "Surface Book 2  13.5-inch display" in the data set
    assert isinstance(surface_book, ModelFigures)
    assert surface_book.name == "Surface Book 2 13.5-inch display"


def test_skus_of_the_sample_are_unique_and_short(sample: dict[int, ModelFigures | Skipped]) -> None:
    skus = [r.sku for r in sample.values() if isinstance(r, ModelFigures)]
    assert len(set(skus)) == len(skus)
    assert all(len(sku) <= SKU_MAX for sku in skus)


def test_duplicated_name_pair_in_the_data_set_is_skipped_for_its_defect(
    sample: dict[int, ModelFigures | Skipped],
) -> None:
    """Boavizta lists this iPad twice; both lack a weight, so neither gets as far as the SKU check."""
    assert sample[2].label == sample[3].label
    assert [sample[2].kind, sample[3].kind] == ["weight missing", "weight missing"]


def test_a_row_seen_before_is_skipped_as_a_duplicate() -> None:
    rows = sample_rows()
    latitude = rows[6]  # line 8
    results = list(read_rows([*rows, latitude]))
    assert results[-1] == Skipped(28, "Dell Latitude 3120", "duplicate of line 8", "duplicate SKU")
    assert isinstance(results[6], ModelFigures)


def test_names_that_slug_alike_are_duplicates() -> None:
    results = list(read_rows([good_row(name="Latitude 3120"), good_row(name="Latitude-3120 ")]))
    assert isinstance(results[0], ModelFigures)
    assert results[1] == Skipped(3, "Dell Latitude-3120", "duplicate of line 2", "duplicate SKU")


def test_a_skipped_row_does_not_count_as_seen() -> None:
    results = list(read_rows([good_row(weight=""), good_row()]))
    assert isinstance(results[0], Skipped)
    assert isinstance(results[1], ModelFigures)
    assert results[1].line == 3


# -- single rows -----------------------------------------------------------------------------------------


def test_good_row() -> None:
    figures = read_row(2, good_row())
    assert isinstance(figures, ModelFigures)
    assert figures.embodied_co2e_kg == Decimal("200.277")
    assert figures.source == "https://example.org/pcf.pdf"


def test_embodied_rounds_half_up_to_the_gram() -> None:
    figures = read_row(2, good_row(gwp_total="1.0005", gwp_use_ratio="0", gwp_manufacturing_ratio=""))
    assert isinstance(figures, ModelFigures)
    assert figures.embodied_co2e_kg == Decimal("1.001")


def test_phase_shares_without_use_share() -> None:
    row = good_row(
        gwp_total="500",
        gwp_use_ratio="",
        gwp_manufacturing_ratio="0.6",
        gwp_transport_ratio="0.05",
        gwp_eol_ratio="0.01",
    )
    figures = read_row(2, row)
    assert isinstance(figures, ModelFigures)
    assert figures.embodied_co2e_kg == Decimal("330.000")  # 500 × (0.6 + 0.05 + 0.01)


def test_given_sku_is_kept_and_source_is_optional() -> None:
    figures = read_row(2, good_row(sku=" DELL-LAT-3120 ", sources=""))
    assert isinstance(figures, ModelFigures)
    assert figures.sku == "DELL-LAT-3120"
    assert figures.source is None


def test_fractional_lifetime_in_months() -> None:
    figures = read_row(2, good_row(lifetime="3.5"))
    assert isinstance(figures, ModelFigures)
    assert figures.expected_lifetime_months == 42


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"manufacturer": " "}, "manufacturer or name missing"),
        ({"name": ""}, "manufacturer or name missing"),
        ({"subcategory": ""}, "category not rented (none)"),
        ({"gwp_total": ""}, "gwp_total missing"),
        ({"gwp_total": "0"}, "gwp_total not positive"),
        ({"gwp_total": "n/a"}, "gwp_total not a number"),
        ({"gwp_total": "inf"}, "gwp_total not a number"),
        ({"weight": "NaN"}, "weight not a number"),
        ({"gwp_use_ratio": "1", "gwp_manufacturing_ratio": ""}, "gwp_use_ratio leaves no embodied footprint"),
        ({"gwp_use_ratio": "-0.1"}, "gwp_use_ratio not a share"),
        (
            {"gwp_use_ratio": "", "gwp_manufacturing_ratio": ""},
            "no phase split (gwp_use_ratio or gwp_manufacturing_ratio)",
        ),
        ({"weight": "0.4"}, "weight implausible for a laptop"),
        ({"yearly_tec": "0"}, "yearly_tec implausible"),
        ({"yearly_tec": "2000.1"}, "yearly_tec implausible"),
        ({"lifetime": "0.5"}, "lifetime implausible"),
        ({"lifetime": "16"}, "lifetime implausible"),
    ],
)
def test_unusable_rows_are_skipped_with_their_kind(changes: dict[str, str], kind: str) -> None:
    result = read_row(7, good_row(**changes))
    assert isinstance(result, Skipped)
    assert result.line == 7
    assert result.kind == kind


def test_row_without_a_name_has_a_label() -> None:
    result = read_row(2, good_row(manufacturer="", name=""))
    assert isinstance(result, Skipped)
    assert result.label == "(no name)"


@pytest.mark.parametrize(
    ("subcategory", "weight", "category"),
    [
        ("Laptop", "1.4", "laptop"),
        ("Workstation", "12", "desktop"),
        ("Thin client", "1.1", "desktop"),
        ("Thin Client", "0.64", "desktop"),
        ("Monitor", "5.5", "monitor"),
        ("Smartphone", "0.15", "phone"),
        ("Phone", "0.15", "phone"),
        ("Tablet", "0.9", "tablet"),
        ("Docking station", "0.5", "dock"),
    ],
)
def test_subcategories_map_to_rented_categories(subcategory: str, weight: str, category: str) -> None:
    result = read_row(2, good_row(subcategory=subcategory, weight=weight))
    assert isinstance(result, ModelFigures)
    assert result.category == category


# -- SKUs ------------------------------------------------------------------------------------------------


def test_derived_sku_is_a_slug() -> None:
    assert derive_sku("Dell", "Latitude 3120") == "DELL-LATITUDE-3120"
    assert derive_sku("HP", "Z22n G2 21.5-inch Monitor") == "HP-Z22N-G2-21-5-INCH-MONITOR"
    assert derive_sku("Microsoft", "Surface Laptop 3 15-inch display Alcantara® palm rest") == (
        "MICROSOFT-SURFACE-LAPTOP-3-15-INCH-DISPLAY-ALCANTARA-PALM-REST"
    )


def test_long_sku_is_shortened_with_a_hash() -> None:
    name = "Mac Pro (2.5GHz 28-core CPU and Radeon Pro Vega II Duo GPU and Afterburner card) with 1.5TB"
    sku = derive_sku("Apple", name)
    assert len(sku) == SKU_MAX
    assert sku.startswith("APPLE-MAC-PRO-2-5GHZ-28-CORE-CPU-AND-RADEON-PRO-VEGA-II-")
    assert sku == derive_sku("Apple", name)
    assert sku != derive_sku("Apple", name + " 4TB")


@given(st.text(max_size=80), st.text(max_size=200))
def test_derived_sku_is_stable_and_fits(manufacturer: str, name: str) -> None:
    sku = derive_sku(manufacturer, name)
    assert sku == derive_sku(manufacturer, name)
    assert len(sku) <= SKU_MAX
    assert set(sku) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
    assert not sku.startswith("-")
    assert not sku.endswith("-")


# -- the file format -------------------------------------------------------------------------------------


def test_open_rows_refuses_a_file_without_the_required_columns() -> None:
    stream = io.StringIO("manufacturer,name,subcategory,gwp_total\nDell,Latitude 3120,Laptop,231\n")
    with pytest.raises(FormatError) as raised:
        open_rows(stream)
    assert str(raised.value) == "not a footprint file: columns weight, yearly_tec, lifetime missing"


def test_open_rows_refuses_an_empty_file() -> None:
    with pytest.raises(FormatError):
        open_rows(io.StringIO(""))


def test_open_rows_reads_the_sample_header() -> None:
    with SAMPLE.open(newline="", encoding="utf-8-sig") as stream:
        reader = open_rows(stream)
        assert reader.fieldnames is not None
        assert reader.fieldnames[:5] == ["manufacturer", "name", "category", "subcategory", "gwp_total"]


# -- the catalog daas ships ------------------------------------------------------------------------------


def default_catalog() -> list[ModelFigures | Skipped]:
    return read_file(DEFAULT_CATALOG)


def test_default_catalog_keeps_every_row() -> None:
    results = default_catalog()
    skipped = [r for r in results if isinstance(r, Skipped)]
    assert skipped == []
    assert len(results) >= 12


def test_default_catalog_rows_have_a_source_and_their_own_sku() -> None:
    for figures in default_catalog():
        assert isinstance(figures, ModelFigures)
        assert figures.source is not None
        assert figures.source.startswith("https://")
        assert len(figures.sku) <= SKU_MAX


def test_default_catalog_covers_the_rented_categories() -> None:
    categories = {f.category for f in default_catalog() if isinstance(f, ModelFigures)}
    assert {"laptop", "desktop", "monitor", "phone", "tablet"} <= categories


def test_default_catalog_figures() -> None:
    by_sku = {f.sku: f for f in default_catalog() if isinstance(f, ModelFigures)}
    latitude = by_sku["DELL-LAT-5430"]
    assert latitude.embodied_co2e_kg == Decimal("252.840")  # 301.0 × (1 − 0.16)
    assert latitude.expected_lifetime_months == 48
    assert by_sku["MS-SURFACE-PRO-8"].category == "tablet"
