"""Metrics and plans: create and find. Plans are immutable once created: contracts and invoices rely on
them, so a new price is a new plan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from daas.catalog.models import DeviceModel
from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import fetch_page
from daas.extensions import db
from daas.pricing.kinds import UNIQUE_COUNT
from daas.pricing.models import Metric, Plan, PlanCharge, PlanTier
from daas.pricing.rules import plan_errors


def create_metric(values: dict[str, Any]) -> Metric:
    if values["aggregation"] == UNIQUE_COUNT and not values.get("field"):
        raise Invalid.field(
            "field", "A unique_count metric needs the property whose distinct values it counts."
        )
    if values["aggregation"] != UNIQUE_COUNT and values.get("field"):
        raise Invalid.field("field", f"A {values['aggregation']} metric reads the quantity; leave field out.")
    if db.session.scalar(select(Metric.id).where(Metric.code == values["code"])) is not None:
        raise Conflict(f"A metric {values['code']} already exists.", errors={"code": ["Already exists."]})
    metric = Metric(**values)
    db.session.add(metric)
    db.session.flush()
    return metric


def get_metric(metric_id: int) -> Metric:
    metric = db.session.get(Metric, metric_id)
    if metric is None:
        raise NotFound(f"No metric {metric_id}.")
    return metric


def list_metrics(offset: int = 0, limit: int = 50) -> tuple[list[Metric], int]:
    return fetch_page(select(Metric).order_by(Metric.code), offset, limit)


def _references(charges: list[dict[str, Any]]) -> tuple[dict[str, Metric], dict[str, DeviceModel]]:
    """Resolve the metrics and device models the charges name; unknown ones are errors on their charge."""
    codes = {c["metric"] for c in charges if c.get("metric")}
    skus = {c["device_model_sku"] for c in charges if c.get("device_model_sku")}
    metrics = {m.code: m for m in db.session.scalars(select(Metric).where(Metric.code.in_(codes)))}
    models = {m.sku: m for m in db.session.scalars(select(DeviceModel).where(DeviceModel.sku.in_(skus)))}
    errors: dict[int, dict[str, list[str]]] = {}
    for index, charge in enumerate(charges):
        if charge.get("metric") and charge["metric"] not in metrics:
            errors.setdefault(index, {})["metric"] = [f"Unknown metric {charge['metric']}."]
        if charge.get("device_model_sku") and charge["device_model_sku"] not in models:
            errors.setdefault(index, {})["device_model_sku"] = [
                f"Unknown device model {charge['device_model_sku']}."
            ]
    if errors:
        raise Invalid(
            "A charge names a metric or device model that does not exist.", errors={"charges": errors}
        )
    return metrics, models


def create_plan(values: dict[str, Any]) -> Plan:
    if errors := plan_errors(values):
        raise Invalid("The plan is not valid: " + ", ".join(str(k) for k in errors) + ".", errors=errors)
    if db.session.scalar(select(Plan.id).where(Plan.code == values["code"])) is not None:
        raise Conflict(f"A plan {values['code']} already exists.", errors={"code": ["Already exists."]})
    metrics, models = _references(values["charges"])
    plan = Plan(**{k: v for k, v in values.items() if k != "charges"})
    for position, charge in enumerate(values["charges"]):
        plan.charges.append(
            PlanCharge(
                position=position,
                kind=charge["kind"],
                unit_amount=charge.get("unit_amount"),
                device_model=models.get(charge.get("device_model_sku") or ""),
                metric=metrics.get(charge.get("metric") or ""),
                model=charge.get("model"),
                package_size=charge.get("package_size"),
                tiers=[
                    PlanTier(
                        position=i,
                        up_to=tier.get("up_to"),
                        unit_amount=tier["unit_amount"],
                        flat_amount=tier.get("flat_amount") or 0,
                    )
                    for i, tier in enumerate(charge.get("tiers") or [])
                ],
            )
        )
    db.session.add(plan)
    db.session.flush()
    return plan


def _with_charges() -> Any:
    return selectinload(Plan.charges).options(
        selectinload(PlanCharge.tiers), selectinload(PlanCharge.metric), selectinload(PlanCharge.device_model)
    )


def get_plan(plan_id: int) -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.id == plan_id).options(_with_charges()))
    if plan is None:
        raise NotFound(f"No plan {plan_id}.")
    return plan


def find_plan(code: str, field_name: str = "plan_code") -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.code == code).options(_with_charges()))
    if plan is None:
        raise Invalid.field(field_name, f"Unknown plan {code}.")
    return plan


def list_plans(currency: str | None = None, offset: int = 0, limit: int = 50) -> tuple[list[Plan], int]:
    query = select(Plan).options(_with_charges())
    if currency:
        query = query.where(Plan.currency == currency)
    return fetch_page(query.order_by(Plan.code), offset, limit)
