"""Files sent to a browser or an API client (PDFs, CSV exports, the pickup calendar): the body with its type
and the name it is saved under. One place for the Content-Disposition header, for the API and the pages
alike, and one way to document a file in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Response

PDF_MIMETYPE = "application/pdf"
XML_MIMETYPE = "application/xml"
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICALENDAR_MIMETYPE = "text/calendar"
# A file is a binary string of its media type: what OpenAPI 3.0 says for a file, and what client
# generators (openapi-python-client among them) turn into a file or bytes instead of dropping the answer.
FILE_SCHEMA = {"type": "string", "format": "binary"}


def download(body: str | bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    """`inline` lets the browser show the file (a PDF to read); otherwise it is saved as `filename`."""
    disposition = "inline" if inline else "attachment"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'}
    )


def file_response(blp: Any, mimetype: str) -> Any:
    """Document the view's 200 answer as a file of `mimetype` (the view answers with `download`)."""
    return blp.response(200, FILE_SCHEMA, content_type=mimetype)
