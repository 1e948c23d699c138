"""REST: /api/v1/job-runs, the record of the scheduler's runs."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access
from daas.api.base import Blueprint, page_window
from daas.auth.roles import FINANCE, LOGISTICS
from daas.scheduler.services import list_job_runs
from daas.schemas.scheduler import JobRunQuerySchema, JobRunSchema

blp = Blueprint("job-runs", __name__, url_prefix="/api/v1/job-runs", description="Scheduled job runs")


@blp.route("")
class JobRuns(MethodView):
    @access(blp, FINANCE, LOGISTICS)
    @blp.arguments(JobRunQuerySchema, location="query")
    @blp.response(200, JobRunSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the scheduler's runs, newest due time first: running, succeeded, failed or skipped."""
        offset, limit = page_window(pagination_parameters)
        rows, pagination_parameters.item_count = list_job_runs(**args, offset=offset, limit=limit)
        return rows
