"""The avoided IT waste statement as a PDF (daas.impact.statement_pdf), read back with pypdf: no app, no
database. The figures are contract B of impact.md's worked example: a laptop's second life, 730 days."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from decimal import Decimal
from typing import Any

from pypdf import PdfReader

from daas.impact.packaging import packaging_figures
from daas.impact.parameters import DEFAULTS, SOURCES
from daas.impact.statement_pdf import StatementDocument, render_statement
from daas.impact.statements import QUANTITIES


def figures(service_days: int, **values: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"service_days": service_days}
    for name in QUANTITIES:
        value = values.get(name, "0.000")
        out[name] = None if value is None else Decimal(value)
    return out


# Contract B: 730 days, allocated 109.521 kg, avoided 40.479 kg; mass 0.473 kg allocated (not a column of
# the device table, so the test reads the totals with the dock), 0.277 kg avoided;
# its share of the recycled 1.5 kg is 0.568 kg, × (1 − 0.401) = 0.340 kg kept out of unmanaged waste.
B_LAPTOP = {
    "serial": "SN-B-LAPTOP-0001",
    "sku": "LAT-7440",
    "category": "laptop",
    "life": 2,
    "provisional": False,
    **figures(
        730,
        allocated_co2e_kg="109.521",
        allocated_mass_kg="0.473",
        use_phase_kwh="40.000",
        use_phase_co2e_kg=None,
        avoided_co2e_kg="40.479",
        avoided_ewaste_kg="0.277",
        certified_recycled_kg="0.568",
        unmanaged_ewaste_avoided_kg="0.340",
    ),
}
# A dock in its first life, still running in the provisional month.
B_DOCK = {
    "serial": "SN-B-DOCK-0002",
    "sku": "DCK-WD19",
    "category": "dock",
    "life": 1,
    "provisional": True,
    **figures(61, allocated_co2e_kg="1.253", allocated_mass_kg="0.021", use_phase_kwh="0.836"),
}
TOTALS = {
    "devices": 2,
    "second_life_devices": 1,
    "upgrades": 0,
    **figures(
        791,
        allocated_co2e_kg="110.774",
        allocated_mass_kg="0.494",
        use_phase_kwh="40.836",
        use_phase_co2e_kg=None,
        avoided_co2e_kg="40.479",
        avoided_ewaste_kg="0.277",
        certified_recycled_kg="0.568",
        unmanaged_ewaste_avoided_kg="0.340",
    ),
}
PERIODS = (
    {
        "period": "2026-09",
        "provisional": False,
        **figures(30, allocated_co2e_kg="4.500", avoided_co2e_kg="1.664", avoided_ewaste_kg="0.011"),
    },
    {
        "period": "2026-10",
        "provisional": False,
        **figures(62, allocated_co2e_kg="5.159", avoided_co2e_kg="1.720", avoided_ewaste_kg="0.012"),
    },
    {
        "period": "2026-11",
        "provisional": True,
        **figures(45, allocated_co2e_kg="2.480", avoided_co2e_kg="0.777", avoided_ewaste_kg="0.005"),
    },
)


def statement(**changes: object) -> StatementDocument:
    doc = StatementDocument(
        issuer="daas B.V.",
        customer_name="Acme Nederland B.V.",
        customer_country="NL",
        contract_id=7,
        plan_name="Laptop Pro 36",
        period_from=date(2024, 10, 1),
        period_to=date(2026, 11, 15),
        as_of=date(2026, 11, 15),
        method="daas-impact-1",
        parameter_set_versions=(1,),
        provisional_periods=("2026-11",),
        totals=TOTALS,
        by_device=(B_LAPTOP, B_DOCK),
        by_period=PERIODS,
        packaging=packaging_figures({"cardboard": Decimal("0.450"), "recycled_plastic": Decimal("0.050")}),
        parameters=DEFAULTS.to_json(),
        sources=SOURCES,
    )
    return dataclasses.replace(doc, **changes)


def pdf_text(data: bytes) -> str:
    """The text of every page, with line breaks as spaces: what wraps in a cell still reads as one phrase."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def has_chart(data: bytes) -> bool:
    # The chart's legend is the only place that says "Allocated CO2e (inventory)".
    return "Allocated CO2e (inventory)" in pdf_text(data)


def test_worked_example_shows_what_an_auditor_checks() -> None:
    data = render_statement(statement())
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (
        "Avoided IT waste statement",
        "daas B.V.",
        "Acme Nederland B.V. (Netherlands)",
        "7, plan Laptop Pro 36",
        "2024-10-01 – 2026-11-15",
        "2026-11-15",
        "daas-impact-1",
        "version 1",
        # the two books, side by side and never netted
        "Inventory",
        "Avoided",
        "never netted",
        "Scope 3, category 8",
        "Scope 2",
        "109.521",  # B's allocated CO2e
        "40.479 kg",  # B's avoided CO2e
        "0.277 kg",  # B's avoided e-waste
        "110.774 kg",
        "0.494 kg",
        "40.836 kWh",
        "Use-phase CO2e (no grid factor set) not reported",
        "0.568 kg",
        "0.340 kg",
        "Upgrades instead of replacements",
        "791 2 1 0",  # service days, devices, second-life devices, upgrades
        # devices
        "SN-B-LAPTOP-0001",
        "SN-B-DOCK-0002",
        "LAT-7440",
        "791",
        # the method with the values and sources of the parameter set
        "How these figures are computed",
        "1,460 days",
        "laptop 15.0 kg",
        "A 730, B 548, C 365, D 0 days",
        "0.401",
        "Eurostat, env_waselee",
        "append-only ledger",
        "Page 1 of",
    ):
        assert expected in text, expected


def test_provisional_months_are_named_and_explained() -> None:
    text = pdf_text(render_statement(statement()))
    assert "Provisional: 2026-11." in text
    assert "not yet closed in the ledger" in text
    assert "late corrections" in text
    assert "2026-11 *" in text  # in the table of months

    closed = pdf_text(render_statement(statement(provisional_periods=())))
    assert "Provisional:" not in closed


def test_long_runs_of_provisional_months_read_as_a_range() -> None:
    months = ("2026-06", "2026-07", "2026-08", "2026-09", "2026-11")
    text = pdf_text(render_statement(statement(provisional_periods=months)))
    assert "Provisional: 2026-06 to 2026-09, 2026-11." in text


def test_a_negative_avoided_figure_prints_its_sign() -> None:
    # A grade C refurbishment with a short expected life costs more per day than a new laptop.
    short_life = {**B_LAPTOP, "avoided_co2e_kg": Decimal("-3.120"), "avoided_ewaste_kg": Decimal("-0.004")}
    totals = {**TOTALS, "avoided_co2e_kg": Decimal("-1234.567"), "avoided_ewaste_kg": Decimal("-0.004")}
    text = pdf_text(render_statement(statement(by_device=(short_life, B_DOCK), totals=totals)))
    assert "-1,234.567 kg" in text
    assert "-3.120" in text
    assert "-0.004 kg" in text


def test_zero_never_prints_as_minus_zero() -> None:
    totals = {**TOTALS, "avoided_co2e_kg": Decimal("-0.000")}
    text = pdf_text(render_statement(statement(totals=totals)))
    assert "-0.000" not in text


def test_use_phase_co2e_is_shown_where_a_grid_factor_is_set() -> None:
    totals = {**TOTALS, "use_phase_co2e_kg": Decimal("13.394")}
    parameters = {**DEFAULTS.to_json(), "grid_kg_per_kwh": {"NL": "0.328"}}
    text = pdf_text(render_statement(statement(totals=totals, parameters=parameters)))
    assert "13.394 kg" in text
    assert "NL 0.328 kg/kWh" in text
    assert "not reported" not in text


def test_rendering_is_deterministic() -> None:
    assert render_statement(statement()) == render_statement(statement())


def test_several_parameter_set_versions_are_named() -> None:
    text = pdf_text(render_statement(statement(parameter_set_versions=(2, 1))))
    assert "versions 1, 2" in text


def test_a_long_device_table_runs_over_pages_with_its_header() -> None:
    devices = tuple(
        {**B_LAPTOP, "serial": f"SN-FLEET-{i:04d}", "provisional": i % 7 == 0} for i in range(120)
    )
    data = render_statement(statement(by_device=devices))
    pages = page_texts(data)
    assert len(pages) > 1
    text = "\n".join(pages)
    for device in devices:
        assert device["serial"] in text
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    table_pages = [page for page in pages if "SN-FLEET-" in page]
    assert len(table_pages) > 1
    assert all("Model (SKU)" in page for page in table_pages)  # the header repeats


def test_many_months_render_with_a_chart() -> None:
    months = tuple(
        {
            "period": f"{2020 + i // 12}-{i % 12 + 1:02d}",
            "provisional": i >= 78,
            **figures(
                31,
                allocated_co2e_kg=f"{i % 9}.125",
                avoided_co2e_kg=f"{(i % 5) - 2}.500",
                avoided_ewaste_kg="0",
            ),
        }
        for i in range(80)
    )
    data = render_statement(statement(by_period=months, provisional_periods=("2026-07", "2026-08")))
    assert has_chart(data)
    text = pdf_text(data)
    assert "2020-01" in text
    assert "2026-08 *" in text


def test_letters_outside_windows_1252_print_as_they_are() -> None:
    data = render_statement(statement(customer_name="Zakład Łódź sp. z o.o.", customer_country="PL"))
    text = pdf_text(data)
    assert "Zakład Łódź sp. z o.o. (Poland)" in text
    assert PdfReader(io.BytesIO(data)).metadata.subject.startswith(
        "Avoided IT waste statement for Zakład Łódź sp. z o.o."
    )


def test_one_period_or_none_renders_without_a_chart() -> None:
    one = render_statement(statement(by_period=PERIODS[:1], provisional_periods=()))
    assert not has_chart(one)
    assert "2026-09" in pdf_text(one)

    empty_totals = {
        "devices": 0,
        "second_life_devices": 0,
        "upgrades": 0,
        **figures(0, use_phase_co2e_kg=None),
    }
    none = render_statement(
        statement(
            by_period=(), by_device=(), totals=empty_totals, provisional_periods=(), parameter_set_versions=()
        )
    )
    assert not has_chart(none)
    text = pdf_text(none)
    assert "0.000 kg" in text
    assert "No device served this subscription" in text

    assert has_chart(render_statement(statement()))
