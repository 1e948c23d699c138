"""What every page form takes in, checked before any view runs, and the serial rule as a form validator.

Browsers can send anything in a form: a NUL (`%00`) that PostgreSQL refuses to store, or text that is
not Unicode at all. `refuse_unstorable_form` answers such a request with 422 naming the field, before a
view or a service sees it, so no page can store what the database (or a later billing run) would choke
on. Query strings are checked by the same rule for pages and API alike (`daas.api.base.reject_nul_in_url`).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import abort
from wtforms.validators import ValidationError

from daas.core.identifiers import serial_problem
from daas.core.text import text_problem


def _printable(name: str) -> str:
    return name.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def refuse_unstorable_form() -> None:
    """Before every page request: a form field (or an uploaded file's name) holding text no database can
    store is a 422 naming it. The API's bodies are JSON, checked by its parser."""
    if request.path.startswith("/api/") or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    fields = [*request.form.items(multi=True)]
    fields += [(name, upload.filename or "") for name, upload in request.files.items(multi=True)]
    for name, value in fields:
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            field = _printable(name)
            abort(422, message=f"Invalid input: {field}.", errors={field: [problem]})


class SerialRule:
    """wtforms validator: the one serial rule (daas.core.identifiers), as the API and services apply it.
    Spaces around the serial (a scanner's or a paste's) are not held against it."""

    def __call__(self, form: Any, field: Any) -> None:
        serial = (field.data or "").strip()
        if serial and (problem := serial_problem(serial)) is not None:
            raise ValidationError(problem)
