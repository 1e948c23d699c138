"""REST: /api/v1/contracts/<id>/end-of-term, each device's choice at the contract's end (return, extend,
buy out) with its buy-out quote."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint
from daas.api.idempotency import idempotent
from daas.core import clock
from daas.logistics.end_of_term import ChoiceRequest
from daas.schemas.end_of_term import EndOfTermChooseSchema, EndOfTermSchema
from daas.settings import current_settings
from daas.usecases import end_of_term as use_cases

blp = Blueprint(
    "end-of-term",
    __name__,
    url_prefix="/api/v1/contracts",
    description="End of term: return, extend or buy out each device",
)


@blp.route("/<id:contract_id>/end-of-term")
class ContractEndOfTerm(MethodView):
    @access(blp, "finance", "customer")
    @blp.response(200, EndOfTermSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, contract_id: int) -> Any:
        """Each device deployed on the contract with its choice and its buy-out quote, which this stores:
        the device's quote while it is valid and not accepted, else a new one for today, valid 30 days
        (`quote` null with `buy_out_refused` when the device cannot be bought out)."""
        settings = current_settings()
        return use_cases.end_of_term_choices(
            contract_id,
            clock.today(),
            settings.end_of_term,
            settings.issuer.country,
            current_principal().customer_scope,
        )

    @access(blp, "finance", "customer")
    @idempotent(blp)
    @blp.arguments(EndOfTermChooseSchema)
    @blp.response(200, EndOfTermSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], contract_id: int) -> Any:
        """Choose for devices: `return`, `extend` (the first extends the contract; the devices not kept go
        home on the old end date) or `buy_out` with its `quote_id` (the pending buy_out charge, the device
        sold today: final). Until the end date; answers the view."""
        principal, settings = current_principal(), current_settings()
        return use_cases.choose_end_of_term(
            contract_id,
            [ChoiceRequest(item["serial"], item["choice"], item.get("quote_id")) for item in data["devices"]],
            data.get("extend_months"),
            principal.actor,
            clock.today(),
            settings.end_of_term,
            settings.issuer.country,
            settings.booking_window_days,
            principal.customer_scope,
        )
