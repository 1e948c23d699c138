"""The serial rule as a form validator. (Form text that no database can store is refused before any
view runs, with query strings, by `daas.api.base.refuse_unstorable_input`.)
"""

from __future__ import annotations

from typing import Any

from wtforms.validators import ValidationError

from daas.core.identifiers import serial_problem


class SerialRule:
    """wtforms validator: the one serial rule (daas.core.identifiers), as the API and services apply it.
    Spaces around the serial (a scanner's or a paste's) are not held against it."""

    def __call__(self, form: Any, field: Any) -> None:
        serial = (field.data or "").strip()
        if serial and (problem := serial_problem(serial)) is not None:
            raise ValidationError(problem)
