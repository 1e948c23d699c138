"""REST: /api/v1/metrics and /api/v1/plans."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import EVERYONE, access
from daas.api.base import Blueprint, page_window
from daas.pricing import services
from daas.schemas.pricing import (
    MetricCreateSchema,
    MetricSchema,
    PlanCreateSchema,
    PlanQuerySchema,
    PlanSchema,
)
from daas.usecases import pricing as use_cases

metrics_blp = Blueprint("metrics", __name__, url_prefix="/api/v1/metrics", description="Billable metrics")
plans_blp = Blueprint("plans", __name__, url_prefix="/api/v1/plans", description="Price plans")


@metrics_blp.route("")
class Metrics(MethodView):
    @access(metrics_blp, *EVERYONE)
    @metrics_blp.response(200, MetricSchema(many=True))
    @metrics_blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List billable metrics."""
        rows, pagination_parameters.item_count = services.list_metrics(*page_window(pagination_parameters))
        return rows

    @access(metrics_blp)
    @metrics_blp.arguments(MetricCreateSchema)
    @metrics_blp.response(201, MetricSchema)
    @metrics_blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Define a billable metric."""
        return use_cases.create_metric(data)


@metrics_blp.route("/<id:metric_id>")
class MetricById(MethodView):
    @access(metrics_blp, *EVERYONE)
    @metrics_blp.response(200, MetricSchema)
    @metrics_blp.alt_response(404, response="NOT_FOUND")
    def get(self, metric_id: int) -> Any:
        """Show a metric."""
        return services.get_metric(metric_id)


@plans_blp.route("")
class Plans(MethodView):
    @access(plans_blp, *EVERYONE)
    @plans_blp.arguments(PlanQuerySchema, location="query")
    @plans_blp.response(200, PlanSchema(many=True))
    @plans_blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List price plans."""
        rows, pagination_parameters.item_count = services.list_plans(
            args.get("currency"), *page_window(pagination_parameters)
        )
        return rows

    @access(plans_blp)
    @plans_blp.arguments(PlanCreateSchema)
    @plans_blp.response(201, PlanSchema)
    @plans_blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a price plan with its charges (billing.md)."""
        plan = use_cases.create_plan(data)
        return services.get_plan(plan.id)


@plans_blp.route("/<id:plan_id>")
class PlanById(MethodView):
    @access(plans_blp, *EVERYONE)
    @plans_blp.response(200, PlanSchema)
    @plans_blp.alt_response(404, response="NOT_FOUND")
    def get(self, plan_id: int) -> Any:
        """Show a plan with its charges."""
        return services.get_plan(plan_id)
