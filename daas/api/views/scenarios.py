"""REST: the what-if planner of a customer's refresh policy. Compare scenarios (nothing is stored), save
one, list them, apply one to the customer's contracts (their own refresh cycle). Admin, finance and the
customer's own users; another customer is not found (404)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint
from daas.api.idempotency import idempotent
from daas.customers.services import get_customer
from daas.schemas.workshop import (
    AppliedScenarioSchema,
    CompareSchema,
    ComparisonSchema,
    SavedScenarioCreateSchema,
    SavedScenarioSchema,
)
from daas.settings import current_settings
from daas.usecases import workshop as use_cases
from daas.workshop.comparison_json import comparison_json
from daas.workshop.scenarios import get_saved_scenario, list_saved_scenarios

blp = Blueprint(
    "scenarios", __name__, url_prefix="/api/v1", description="What-if plans of a customer's refresh policy"
)

ROLES = ("finance", "customer")


@blp.route("/customers/<id:customer_id>/scenarios")
class CustomerScenarios(MethodView):
    @access(blp, *ROLES)
    @blp.arguments(CompareSchema)
    @blp.response(200, ComparisonSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Compare refresh policies on the customer's fleet today (or one contract's), year by year over
        the horizon, in total and against as_is (always first). Stores nothing: a retry is harmless."""
        settings = current_settings()
        comparison = use_cases.compare_customer_scenarios(
            customer_id,
            data["horizon_years"],
            data["scenarios"],
            data.get("contract_id"),
            customer_scope=current_principal().customer_scope,
            policy=settings.upgrade,
            upgrade_fees=settings.workshop_upgrade_fees,
        )
        return comparison_json(comparison)


@blp.route("/customers/<id:customer_id>/saved-scenarios")
class SavedScenarios(MethodView):
    @access(blp, *ROLES)
    @blp.response(200, SavedScenarioSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, customer_id: int) -> Any:
        """The customer's saved scenarios, oldest first, with when each was last applied."""
        customer = get_customer(customer_id, current_principal().customer_scope)
        return list_saved_scenarios(customer.id)

    @access(blp, *ROLES)
    @idempotent(blp)
    @blp.arguments(SavedScenarioCreateSchema)
    @blp.response(201, SavedScenarioSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Save a scenario for the customer (or one of its contracts), to compare again or to apply."""
        return use_cases.save_scenario(
            customer_id,
            data["name"],
            data["kind"],
            {name: data[name] for name in ("months", "share") if data.get(name) is not None},
            data["horizon_years"],
            current_principal().actor,
            data.get("contract_id"),
            customer_scope=current_principal().customer_scope,
        ), 201


@blp.route("/customers/<id:customer_id>/saved-scenarios/<id:scenario_id>/apply")
class SavedScenarioApply(MethodView):
    @access(blp, *ROLES)
    @idempotent(blp)
    @blp.response(200, AppliedScenarioSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, customer_id: int, scenario_id: int) -> Any:
        """Apply a saved scenario: extend sets its contracts' own refresh cycle (the plan's plus the months
        of the category most of a contract's devices are), as_is clears it; the refresh planner reads it
        from then on. upgrade_first and refurbished_first are not contract settings: 409."""
        scope = current_principal().customer_scope
        changed = use_cases.apply_scenario(
            customer_id, scenario_id, current_principal().actor, customer_scope=scope
        )
        return {"scenario": get_saved_scenario(customer_id, scenario_id), "contracts_changed": changed}
