"""`flask daas catalog import FILE`: load a footprint file, with progress and a report of what was kept."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from daas.catalog.footprints import FormatError, open_rows, read_rows
from daas.usecases.catalog import import_footprints

catalog_group = click.Group("catalog", help="The device catalog.")


def _count_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        return sum(1 for _ in open_rows(stream))


@catalog_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show-skipped/--no-show-skipped", default=False, help="List every skipped row.")
def import_command(file: Path, show_skipped: bool) -> None:
    """Import device models from a file in the Boavizta footprint format (CSV)."""
    try:
        total = _count_rows(file)
    except FormatError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    with (
        file.open(newline="", encoding="utf-8-sig") as stream,
        click.progressbar(length=total, label=f"Importing {file.name}", file=sys.stderr) as bar,
    ):
        report = import_footprints(read_rows(open_rows(stream)), on_row=lambda: bar.update(1))
    click.echo(
        f"Read {total} rows: kept {report.kept} ({report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged), skipped {len(report.skipped)}."
    )
    for reason, count in report.reasons().most_common():
        click.echo(f"  skipped {count:>5}: {reason}")
    if show_skipped:
        for skip in report.skipped:
            click.echo(f"  line {skip.line}: {skip.label}: {skip.reason}")
