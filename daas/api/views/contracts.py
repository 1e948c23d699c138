"""REST: /api/v1/contracts and the devices deployed on them."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.contracts import services
from daas.core.errors import Forbidden
from daas.logistics import termination
from daas.schemas.contracts import (
    ContractCreateSchema,
    ContractExtendSchema,
    ContractQuerySchema,
    ContractSchema,
    ContractTerminateQuerySchema,
    ContractTerminateSchema,
    ContractTerminationSchema,
    ContractUpdateSchema,
    DeployDeviceSchema,
    DeploymentQuerySchema,
    DeploymentSchema,
    EndDeploymentSchema,
    PlanChangeSchema,
    ReassignDeviceSchema,
    TerminationQuoteSchema,
)
from daas.settings import current_settings
from daas.usecases import contracts as use_cases
from daas.usecases import logistics as logistics_use_cases
from daas.usecases import people as people_use_cases

blp = Blueprint(
    "contracts", __name__, url_prefix="/api/v1/contracts", description="Contracts and deployments"
)


@blp.route("")
class Contracts(MethodView):
    @access(blp, "finance", "logistics", "customer")
    @blp.arguments(ContractQuerySchema, location="query")
    @blp.response(200, ContractSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List contracts (a customer user sees its own)."""
        rows, pagination_parameters.item_count = services.list_contracts(
            args.get("customer_id"),
            args.get("status"),
            current_principal().customer_scope,
            *page_window(pagination_parameters),
        )
        return rows

    @access(blp)
    @blp.arguments(ContractCreateSchema)
    @blp.response(201, ContractSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Sign a contract: a customer on a plan from a start date (409 when its reference is taken)."""
        return use_cases.sign_contract(**data, actor=current_principal().actor)


@blp.route("/<id:contract_id>")
class ContractById(MethodView):
    @access(blp, "finance", "logistics", "customer")
    @blp.response(200, ContractSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, contract_id: int) -> Any:
        """Show a contract."""
        return services.get_contract(contract_id, current_principal().customer_scope)

    @access(blp, "finance")
    @blp.arguments(ContractUpdateSchema(partial=True))
    @blp.response(200, ContractSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict[str, Any], contract_id: int) -> Any:
        """Change the reference or the purchase order its documents quote (409 when the reference is taken);
        documents issued before keep theirs."""
        return use_cases.change_contract(contract_id, data)


@blp.route("/<id:contract_id>/terminate")
class ContractTermination(MethodView):
    @access(blp, "finance", "customer")
    @idempotent(blp)
    @blp.arguments(ContractTerminateSchema)
    @blp.arguments(ContractTerminateQuerySchema, location="query")
    @blp.response(200, ContractTerminationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], args: dict[str, Any], contract_id: int) -> Any:
        """What ending the contract early on `end_date` costs: `share × minimum × remaining_months`, the
        minimum of the plan in force the day before (`basis: minimum`), or without one the monthly amounts
        of the devices deployed that day (`basis: devices`). Changes nothing (the customer may preview its
        own contracts). With `?confirm=true` (admin, finance) the contract ends that day, the
        early_termination charge is added (pending; none when the amount is 0) and the devices still
        deployed get an end-of-term return order for that day (409 when the customer has no pickup
        address); answers the contract with the figures and `charge_id`. Confirming again is a 409."""
        principal = current_principal()
        policy = current_settings().end_of_term
        if not args["confirm"]:
            quote = termination.quote_termination(
                contract_id, data["end_date"], policy, principal.customer_scope
            )
            return jsonify(TerminationQuoteSchema().dump(quote))
        if principal.customer_scope is not None:
            raise Forbidden("A customer may preview a termination; admin or finance confirm it.")
        done = logistics_use_cases.terminate_contract(
            contract_id,
            data["end_date"],
            policy,
            current_settings().booking_window_days,
            principal.actor,
        )
        return jsonify(
            {
                **TerminationQuoteSchema().dump(done.quote),
                **ContractSchema().dump(done.contract),
                "charge_id": done.charge.id if done.charge is not None else None,
            }
        )


@blp.route("/<id:contract_id>/plan-changes")
class ContractPlanChanges(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(PlanChangeSchema)
    @blp.response(201, ContractSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], contract_id: int) -> Any:
        """Change the contract's plan (or its minimum) from a day: without `from`, today for an upgrade,
        else the 1st of the next month. The plan in force then ends that day and a change scheduled after
        it is superseded. A plan in another currency is a 422; a day in a month whose invoice is finalized
        a 409 naming the invoice. Drafts of the months it touches are recomputed by the next billing run."""
        return use_cases.change_plan(
            contract_id,
            data["plan_code"],
            data.get("from_"),
            data.get("minimum_monthly_amount"),
            current_principal().actor,
        )


@blp.route("/<id:contract_id>/extend")
class ContractExtension(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(ContractExtendSchema)
    @blp.response(200, ContractSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], contract_id: int) -> Any:
        """Move the contract's end `months` later, with `plan_code` a plan change from the old end date
        (409 for a terminated contract)."""
        return use_cases.extend_contract(
            contract_id, data["months"], data.get("plan_code"), current_principal().actor
        )


@blp.route("/<id:contract_id>/devices")
class ContractDevices(MethodView):
    @access(blp, "logistics", "finance", "customer")
    @blp.arguments(DeploymentQuerySchema, location="query")
    @blp.response(200, DeploymentSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, args: dict[str, Any], contract_id: int, pagination_parameters: Any) -> Any:
        """List the deployments of a contract."""
        rows, pagination_parameters.item_count = services.list_deployments(
            contract_id,
            current_principal().customer_scope,
            args.get("current"),
            *page_window(pagination_parameters),
        )
        return rows

    @access(blp, "logistics")
    @blp.arguments(DeployDeviceSchema)
    @blp.response(201, DeploymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], contract_id: int) -> Any:
        """Deploy a device on the contract (409 when it is deployed elsewhere)."""
        return use_cases.deploy_device(
            contract_id,
            data["serial"],
            data["start_date"],
            current_principal().actor,
            person_id=data.get("person_id"),
        )


@blp.route("/<id:contract_id>/devices/<string:serial>/reassign")
class DeploymentReassignment(MethodView):
    @access(blp, "logistics", "customer", "finance")
    @blp.arguments(ReassignDeviceSchema)
    @blp.response(200, DeploymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], contract_id: int, serial: str) -> Any:
        """The device now serves another active person of the customer: the same deployment, a custody
        event `reassign` naming both people, no billing change (a customer reassigns its own devices)."""
        principal = current_principal()
        return people_use_cases.reassign_device(
            contract_id, serial, data["person_id"], principal.actor, principal.customer_scope
        )


@blp.route("/<id:contract_id>/devices/<string:serial>/end")
class DeploymentEnd(MethodView):
    @access(blp, "logistics")
    @blp.arguments(EndDeploymentSchema)
    @blp.response(200, DeploymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], contract_id: int, serial: str) -> Any:
        """End a deployment outside a return order: the device was handed back and is now `received`."""
        return use_cases.hand_back_device(contract_id, serial, data["end_date"], current_principal().actor)
