"""Contract workflows, each one transaction: sign a contract, terminate it early, deploy a device on it,
and end a deployment when the device is handed back in person."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.contracts import services
from daas.contracts.models import Contract, Deployment
from daas.usecases.transaction import use_case


@use_case
def sign_contract(
    customer_id: int,
    plan_code: str,
    start_date: date,
    end_date: date | None = None,
    minimum_monthly_amount: Decimal | None = None,
) -> Contract:
    """A customer on a plan from a start date (to the end of the plan's term unless `end_date` says)."""
    return services.create_contract(customer_id, plan_code, start_date, end_date, minimum_monthly_amount)


@use_case
def terminate_contract(contract_id: int, end_date: date) -> Contract:
    """End a contract before its term; every device must be off it by then."""
    return services.terminate_contract(contract_id, end_date)


@use_case
def deploy_device(contract_id: int, serial: str, start_date: date, actor: str) -> Deployment:
    """Put an in-stock device on a contract from `start_date`: billed from that day."""
    return services.deploy_device(contract_id, serial, start_date, actor)


@use_case
def hand_back_device(contract_id: int, serial: str, end_date: date, actor: str) -> Deployment:
    """The device was handed back in person: its deployment ends on `end_date` (not billed) and it is
    `received`, ready to be wiped."""
    return services.end_deployment(contract_id, serial, end_date, actor)
