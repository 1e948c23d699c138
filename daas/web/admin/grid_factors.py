"""Grid factors: the stored versions, one version's table (countries by years, with the sources), and an
upload that stores a CSV file as a new version, which reports use from then on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import redirect, request, url_for

from daas.auth.roles import ADMIN
from daas.core.errors import DomainError, Invalid, NotFound
from daas.impact import grid_factor_sets
from daas.impact.grid_factor_csv import COLUMNS, factors_from_csv
from daas.impact.models import GridFactorSet
from daas.usecases.impact import create_grid_factor_set
from daas.web.admin import blp, form_page
from daas.web.admin.forms import GridFactorsUploadForm
from daas.web.pages import add_navigation, audience, carry_out, principal

add_navigation(ADMIN, ("admin.grid_factors", "Grid factors"))


@dataclass(frozen=True)
class FactorTable:
    """A version laid out for reading: a row per country, a column per year, and its sources numbered
    (each row names the numbers of the sources its figures come from)."""

    years: list[str]
    rows: list[tuple[str, dict[str, str], list[int]]]
    sources: list[tuple[int, str, str]]


def factor_table(grid_set: GridFactorSet) -> FactorTable:
    numbers: dict[tuple[str, str], int] = {}
    rows = []
    for country, years in sorted(grid_set.factors.items()):
        used = {
            numbers.setdefault((e["source"], e["source_version"]), len(numbers) + 1) for e in years.values()
        }
        rows.append((country, {year: entry["kg_per_kwh"] for year, entry in years.items()}, sorted(used)))
    years = sorted({year for _, by_year, _ in rows for year in by_year})
    return FactorTable(years, rows, [(n, source, version) for (source, version), n in numbers.items()])


@blp.route("/grid-factors", methods=["GET", "POST"], endpoint="grid_factors")
@audience(ADMIN)
def grid_factors_page() -> Any:
    form = GridFactorsUploadForm()
    if form.validate_on_submit():
        text = _uploaded_text(form)
        if text is not None:
            created = carry_out(
                form,
                lambda: _create_from(text, form.note.data),
                lambda s: (
                    f"Grid factors version {s.version} stored: {len(s.factors)} countries, used from now on."
                ),
            )
            if created is not None:
                return redirect(url_for("admin.grid_factors"))
    sets = grid_factor_sets.list_grid_factor_sets()
    shown = _shown(sets)
    return form_page(
        "admin/grid_factors.html",
        form=form,
        sets=sets,
        shown=shown,
        latest=sets[-1] if sets else None,
        table=factor_table(shown) if shown else None,
        columns=COLUMNS,
        years_of=grid_factor_sets.years_of,
    )


def _shown(sets: list[GridFactorSet]) -> GridFactorSet | None:
    """The version asked for (`?version=`), else the latest."""
    asked = request.args.get("version", "")
    if not asked:
        return sets[-1] if sets else None
    for grid_set in sets:
        if str(grid_set.version) == asked:
            return grid_set
    raise NotFound(f"No grid factor set version {asked}.")


def _create_from(text: str, note: str | None) -> GridFactorSet:
    """The use case on the file's factors; what it refuses is told beside the file field, every fault."""
    try:
        return create_grid_factor_set(factors_from_csv(text), note, principal().actor)
    except DomainError as error:
        faults = [f"{field}: {', '.join(messages)}" for field, messages in error.errors.items()]
        raise Invalid(error.message, {"file": faults or [error.message]}) from error


def _uploaded_text(form: GridFactorsUploadForm) -> str | None:
    try:
        return form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append("Not a UTF-8 text file.")
        return None
