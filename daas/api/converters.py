"""URL converters: ids are positive and fit the database's integer, so a huge id is a 404, not a 500."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID, fixed_digits=0)
        self.regex = r"\d{1,10}"


def id_schema(converter: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
