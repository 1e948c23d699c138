"""REST: POST /api/v1/usage-events."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, read_json_body
from daas.core import clock
from daas.schemas.usage import UsageAcceptedSchema, UsageBatchSchema
from daas.usecases.usage import record_usage

blp = Blueprint("usage", __name__, url_prefix="/api/v1/usage-events", description="Usage metering")


@blp.route("")
class UsageEvents(MethodView):
    @access(blp, "customer")
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": UsageBatchSchema}}})
    @blp.response(202, UsageAcceptedSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self) -> Any:
        """Post up to 1,000 usage events at once; all are stored or none (errors keyed by index)."""
        accepted, duplicates = record_usage(read_json_body(), current_principal().customer_scope, clock.now())
        return {"accepted": accepted, "duplicates": duplicates}
