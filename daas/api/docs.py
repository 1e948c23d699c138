"""The human API docs at /api/docs: Swagger UI served from the installed swagger-ui-bundle, no CDN,
and no inline script (the page loads its settings from a static file), so a strict CSP holds.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Response, render_template, send_from_directory, url_for

blp = Blueprint("api_docs", __name__, url_prefix="/api/docs", static_folder=None)

_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
_OWN = Path(__file__).parent / "static"
_SERVED = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}


@blp.get("")
def docs_page() -> str:
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))


@blp.get("/assets/<path:name>")
def docs_asset(name: str) -> Response:
    if name == "docs-init.js":
        return send_from_directory(_OWN, name, max_age=3600)
    if name not in _SERVED:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    return send_from_directory(_ASSETS, name, max_age=86400)
