"""Contract workflows, each one transaction: sign a contract, change the references its documents quote
and its renewal settings, change its plan, extend it, deploy a device on it, end a deployment when the
device is handed back in person, and the daily round that renews the contracts reaching their end date.
Terminating a contract early charges it and returns its devices: that is logistics'
(`usecases.logistics.terminate_contract`).

Plan changes and extensions may not alter a month whose invoice is finalized. Invoices are billing's,
which sits above contracts: these use cases hand billing's read of finalized months down to them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.billing.invoiced_months import finalized_invoice_from
from daas.contracts import plan_history, renewal, services
from daas.contracts.models import Contract
from daas.usecases.transaction import use_case

sign_contract = use_case(services.create_contract)
change_contract = use_case(services.update_contract)
deploy_device = use_case(services.deploy_device)
hand_back_device = use_case(services.end_deployment)
renew_due_contracts = use_case(renewal.renew_due_contracts)


@use_case
def change_plan(
    contract_id: int, plan_code: str, from_date: date | None, minimum: Decimal | None, actor: str
) -> Contract:
    """Put a contract on another plan (or minimum) from a day (`plan_history.change_plan`)."""
    return plan_history.change_plan(contract_id, plan_code, from_date, minimum, actor, finalized_invoice_from)


@use_case
def extend_contract(contract_id: int, months: int, plan_code: str | None, actor: str) -> Contract:
    """Move a contract's end later, with a plan change from the old end (`plan_history.extend_contract`)."""
    return plan_history.extend_contract(contract_id, months, plan_code, actor, finalized_invoice_from)
