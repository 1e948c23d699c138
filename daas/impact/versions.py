"""Storing the next version of a versioned table (parameter sets, grid factor sets): its number is the
highest so far plus one, so two requests at once may pick the same one; the unique constraint stops the
second, which becomes a Conflict to retry rather than a 500."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from daas.core.errors import Conflict
from daas.extensions import db


def add_version(row: Any, version: int) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        raise Conflict(f"Version {version} was created at the same time; try again.") from error
