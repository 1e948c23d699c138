"""Plan your fleet: the customer compares refresh policies for its fleet (or one contract) over a few
years, saves the scenario it likes and applies it to its contracts (see `daas.web.fleet_planning`)."""

from __future__ import annotations

from typing import Any

from daas.web import fleet_planning
from daas.web.pages import audience
from daas.web.portal import blp
from daas.web.portal.common import customer_scope

_BACK = fleet_planning.back_to("portal.plan_fleet")


@blp.get("/plan-fleet")
@audience("customer")
def plan_fleet() -> Any:
    return fleet_planning.plan_page(
        "portal/plan_fleet.html",
        customer_scope(),
        save_endpoint="portal.plan_fleet_save",
        apply_endpoint="portal.plan_fleet_apply",
        page_endpoint="portal.plan_fleet",
        endpoint_values={},
    )


@blp.post("/plan-fleet/save/<kind>")
@audience("customer")
def plan_fleet_save(kind: str) -> Any:
    return fleet_planning.save(customer_scope(), kind, _BACK)


@blp.post("/plan-fleet/scenarios/<int:scenario_id>/apply")
@audience("customer")
def plan_fleet_apply(scenario_id: int) -> Any:
    return fleet_planning.apply(customer_scope(), scenario_id, _BACK)
