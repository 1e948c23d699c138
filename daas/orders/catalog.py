"""What a contract's plan lets a customer order: each plan's device charges, the models an order's lines
name (an SKU the plan does not bill is refused on its line), and the catalog the order form shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract
from daas.contracts.services import get_contract
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.extensions import db
from daas.orders import rules
from daas.pricing.kinds import DEVICE_MONTHLY
from daas.pricing.models import PlanCharge


def plan_device_charges(plan_ids: Iterable[int]) -> dict[int, list[tuple[int | None, Decimal]]]:
    """Each plan's device charges (device_model_id or None for every model, monthly amount), in one query."""
    ids = sorted(set(plan_ids))
    charges: dict[int, list[tuple[int | None, Decimal]]] = {plan_id: [] for plan_id in ids}
    if ids:
        for plan_id, model_id, amount in db.session.execute(
            select(PlanCharge.plan_id, PlanCharge.device_model_id, PlanCharge.unit_amount).where(
                PlanCharge.plan_id.in_(ids), PlanCharge.kind == DEVICE_MONTHLY
            )
        ):
            charges[plan_id].append((model_id, amount or Decimal(0)))
    return charges


def line_models(contract: Contract, lines: Sequence[dict[str, Any]]) -> tuple[list[DeviceModel], dict]:
    """The device model of each line, and the errors of lines naming an SKU the plan does not bill."""
    charges = plan_device_charges([contract.plan_id])[contract.plan_id]
    skus = {line.get("sku") for line in lines}
    known = {m.sku: m for m in db.session.scalars(select(DeviceModel).where(DeviceModel.sku.in_(skus)))}
    models: list[DeviceModel] = []
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        model = known.get(line.get("sku"))
        if model is None:
            errors[f"lines.{index}.sku"] = [f"Unknown device model {line.get('sku')}."]
        elif rules.monthly_amount(charges, model.id) is None:
            errors[f"lines.{index}.sku"] = [f"Plan {contract.plan.code} does not bill {model.sku}."]
        else:
            models.append(model)
    return models, errors


def contract_catalog(
    contract_id: int, customer_scope: int | None = None, lowest_grade: str = "B"
) -> list[dict[str, Any]]:
    """What may be ordered on a contract (the order form): each model its plan bills, with the monthly
    price, its embodied footprint and how many are in stock, refurbished (graded `lowest_grade` or better)
    and new."""
    contract = get_contract(contract_id, customer_scope)
    charges = plan_device_charges([contract.plan_id])[contract.plan_id]
    if not charges:
        return []  # a plan without device charges bills no model: nothing to order on it
    named = [model_id for model_id, _ in charges if model_id is not None]
    query = select(DeviceModel).order_by(DeviceModel.category, DeviceModel.name, DeviceModel.sku)
    if len(named) == len(charges):  # else one charge bills every model
        query = query.where(DeviceModel.id.in_(named))
    models = db.session.scalars(query).all()
    stock: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for model_id, lives, grade, count in db.session.execute(
        select(Device.device_model_id, Device.lives, Device.grade, func.count())
        .where(Device.status == DeviceStatus.IN_STOCK, Device.device_model_id.in_([m.id for m in models]))
        .group_by(Device.device_model_id, Device.lives, Device.grade)
    ):
        if lives == 0:
            stock[model_id][1] += count
        elif rules.grade_at_least(grade, lowest_grade):
            stock[model_id][0] += count
    return [
        {
            "sku": model.sku,
            "name": model.name,
            "category": model.category,
            "monthly_price": rules.monthly_amount(charges, model.id),
            "currency": contract.currency,
            "embodied_co2e_kg": model.embodied_co2e_kg,
            "refurbished_in_stock": stock[model.id][0],
            "new_in_stock": stock[model.id][1],
        }
        for model in models
    ]
