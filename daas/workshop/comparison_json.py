"""The what-if comparison as JSON, one shape for the API and the portal's pages: decimals as strings (exact,
as money is everywhere in daas), counts as whole numbers, dates as YYYY-MM-DD. Pure."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from daas.workshop.plan_types import Comparison, Figures, Scenario, ScenarioKind


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """{as_of, horizon_years, currency, scenarios: [{kind, name, choices, years: [{year, starts_on,
    ends_on, <figures>}], total: {<figures>}, difference: {<figures>}}]}, as_is first."""
    return {
        "as_of": comparison.as_of.isoformat(),
        "horizon_years": comparison.horizon_years,
        "currency": comparison.currency,
        "scenarios": [
            {
                "kind": result.scenario.kind,
                "name": result.scenario.name or result.scenario.kind,
                "choices": scenario_choices(result.scenario),
                "years": [
                    {
                        "year": year.year,
                        "starts_on": year.starts_on.isoformat(),
                        "ends_on": year.ends_on.isoformat(),
                        **figures_json(year.figures),
                    }
                    for year in result.years
                ],
                "total": figures_json(result.total),
                "difference": figures_json(result.difference),
            }
            for result in comparison.results
        ],
    }


def figures_json(figures: Figures) -> dict[str, Any]:
    """Every field of the figures: a decimal as its string, a count as its number."""
    return {
        field.name: str(value) if isinstance(value, Decimal) else value
        for field in fields(figures)
        for value in (getattr(figures, field.name),)
    }


def scenario_choices(scenario: Scenario) -> dict[str, Any]:
    """What was chosen, as it is written in a request: {months} for extend, {share} for refurbished_first."""
    if scenario.kind == ScenarioKind.EXTEND:
        return {"months": dict(scenario.extend_months)}
    if scenario.kind == ScenarioKind.REFURBISHED_FIRST:
        return {"share": str(scenario.refurbished_share)}
    return {}
