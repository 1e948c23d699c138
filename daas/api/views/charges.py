"""REST: one-off charges on contracts, and their moves (approve, waive, dispute, uphold, grant)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.charges import services
from daas.charges.services import NewCharge
from daas.schemas.charges import (
    OneOffChargeCreateSchema,
    OneOffChargeDisputeSchema,
    OneOffChargeNoteSchema,
    OneOffChargeQuerySchema,
    OneOffChargeSchema,
)
from daas.settings import current_settings
from daas.usecases import charges as use_cases

blp = Blueprint("charges", __name__, url_prefix="/api/v1", description="One-off charges on contracts")


@blp.route("/contracts/<id:contract_id>/charges")
class ContractCharges(MethodView):
    @access(blp, "finance", "customer")
    @blp.arguments(OneOffChargeQuerySchema, location="query")
    @blp.response(200, OneOffChargeSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, args: dict[str, Any], contract_id: int, pagination_parameters: Any) -> Any:
        """The contract's charges, by day (a customer sees its own contracts'); `?status=` one state."""
        rows, pagination_parameters.item_count = services.list_charges(
            contract_id,
            [args["status"]] if args.get("status") else [],
            current_principal().customer_scope,
            *page_window(pagination_parameters),
        )
        return rows

    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(OneOffChargeCreateSchema)
    @blp.response(201, OneOffChargeSchema)
    @blp.alt_response(200, schema=OneOffChargeSchema, description="The charge stored before with this key.")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], contract_id: int) -> Any:
        """Add a charge, pending: it is billed on the contract's invoice for the period holding its day, or
        on the next one when that invoice is finalized. Its `idempotency_key` sent again with the same
        fields answers 200 with the stored charge; with other fields 409."""
        charge, created = use_cases.add_charge(
            contract_id,
            NewCharge(
                kind=data["kind"],
                amount=data["amount"],
                description=data["description"],
                idempotency_key=data["idempotency_key"],
                on=data.get("on"),
                device_serial=data.get("device_serial"),
            ),
            current_principal().actor,
        )
        return charge, 201 if created else 200


@blp.route("/charges/<id:charge_id>")
class ChargeById(MethodView):
    @access(blp, "finance", "customer")
    @blp.response(200, OneOffChargeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, charge_id: int) -> Any:
        """Show a charge with the trail of its moves."""
        return services.get_charge(charge_id, current_principal().customer_scope)


@blp.route("/charges/<id:charge_id>/approve")
class ChargeApproval(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(OneOffChargeNoteSchema)
    @blp.response(200, OneOffChargeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], charge_id: int) -> Any:
        """Approve a proposed charge: it is pending, billed on the next invoice (409 in another state)."""
        return use_cases.approve_charge(charge_id, current_principal().actor, data.get("note"))


@blp.route("/charges/<id:charge_id>/waive")
class ChargeWaiver(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(OneOffChargeNoteSchema)
    @blp.response(200, OneOffChargeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], charge_id: int) -> Any:
        """Waive a proposed or pending charge: it is never billed (409 in another state)."""
        return use_cases.waive_charge(charge_id, current_principal().actor, data.get("note"))


@blp.route("/charges/<id:charge_id>/dispute")
class ChargeDispute(MethodView):
    @access(blp, "customer")
    @idempotent(blp)
    @blp.arguments(OneOffChargeDisputeSchema)
    @blp.response(200, OneOffChargeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], charge_id: int) -> Any:
        """The customer disputes a proposed, pending or billed charge of its contract, once, with its
        reason: it is not billed while finance decides (409 in another state)."""
        principal = current_principal()
        return use_cases.dispute_charge(charge_id, data["reason"], principal.actor, principal.customer_scope)


@blp.route("/charges/<id:charge_id>/uphold")
class ChargeUpheld(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(OneOffChargeNoteSchema)
    @blp.response(200, OneOffChargeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], charge_id: int) -> Any:
        """The disputed charge stands: pending again, or billed when an invoice billed it (409 when it is
        not disputed)."""
        return use_cases.uphold_dispute(charge_id, current_principal().actor, data.get("note"))


@blp.route("/charges/<id:charge_id>/grant")
class ChargeGranted(MethodView):
    @access(blp, "finance")
    @idempotent(blp)
    @blp.arguments(OneOffChargeNoteSchema)
    @blp.response(200, OneOffChargeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data: dict[str, Any], charge_id: int) -> Any:
        """Grant the dispute: the charge is waived; a billed one is credited by a credit note of its invoice
        line with the invoice's VAT (refunded by card when the invoice was paid by card). 409 when it is
        not disputed."""
        settings = current_settings()
        return use_cases.grant_dispute(
            charge_id, current_principal().actor, settings.issuer, settings.collection, data.get("note")
        )
