"""Files sent to a browser or an API client (PDFs, CSV exports): the body with its type and the name it is
saved under. One place for the Content-Disposition header, for the API and the pages alike."""

from __future__ import annotations

from flask import Response

PDF_MIMETYPE = "application/pdf"
CSV_MIMETYPE = "text/csv"


def download(body: str | bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    """`inline` lets the browser show the file (a PDF to read); otherwise it is saved as `filename`."""
    disposition = "inline" if inline else "attachment"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'}
    )
