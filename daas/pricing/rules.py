"""What makes a plan valid (billing.md), checked on plain values before anything is stored.

Pure: a plan as a dict in, errors keyed like the request out (`{"charges": {1: {"tiers": [...]}}}`), so the
API and the pages give the same answers. References to metrics and device models are checked by the
service, which knows the database.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from daas.core import money
from daas.pricing.kinds import DEVICE_MONTHLY, GRADUATED, METERED, PACKAGE, PER_UNIT, VOLUME

Errors = dict[Any, Any]

_FIELDS_BY_SHAPE: dict[tuple[str, str | None], set[str]] = {
    (DEVICE_MONTHLY, None): {"unit_amount", "device_model_sku"},
    (METERED, PER_UNIT): {"metric", "model", "unit_amount"},
    (METERED, PACKAGE): {"metric", "model", "unit_amount", "package_size"},
    (METERED, GRADUATED): {"metric", "model", "tiers"},
    (METERED, VOLUME): {"metric", "model", "tiers"},
}
_REQUIRED_BY_SHAPE: dict[tuple[str, str | None], set[str]] = {
    (DEVICE_MONTHLY, None): {"unit_amount"},
    (METERED, PER_UNIT): {"unit_amount"},
    (METERED, PACKAGE): {"unit_amount", "package_size"},
    (METERED, GRADUATED): {"tiers"},
    (METERED, VOLUME): {"tiers"},
}
_OPTIONAL_FIELDS = ("unit_amount", "device_model_sku", "metric", "model", "tiers", "package_size")


def tier_errors(tiers: list[dict[str, Any]]) -> Errors:
    """Tiers ascend strictly by `up_to`, and only the last is open (`up_to` null)."""
    errors: Errors = {}
    previous: Decimal | None = None
    for index, tier in enumerate(tiers):
        up_to = tier.get("up_to")
        last = index == len(tiers) - 1
        if last and up_to is not None:
            errors[index] = {"up_to": ["The last tier must be open: up_to null."]}
        elif not last and up_to is None:
            errors[index] = {"up_to": ["Only the last tier may be open (up_to null)."]}
        elif up_to is not None and up_to <= 0:
            errors[index] = {"up_to": ["Must be above 0."]}
        elif up_to is not None and previous is not None and up_to <= previous:
            errors[index] = {"up_to": [f"Tiers must ascend: {up_to} is not above {previous}."]}
        if up_to is not None:
            previous = up_to if previous is None else max(previous, up_to)
    return errors


def charge_errors(charge: dict[str, Any]) -> Errors:
    """The fields a charge needs and may carry depend on its kind and pricing model."""
    kind = charge["kind"]
    model = charge.get("model") if kind == METERED else None
    if kind == METERED and model is None:
        return {"model": ["A metered charge needs its pricing model."]}
    if kind == METERED and not charge.get("metric"):
        return {"metric": ["A metered charge needs the metric it bills."]}
    shape = (kind, model)
    allowed, required = _FIELDS_BY_SHAPE[shape], _REQUIRED_BY_SHAPE[shape]
    what = kind if model is None else f"a {model} charge"
    errors: Errors = {}
    for name in _OPTIONAL_FIELDS:
        present = charge.get(name) is not None
        if present and name not in allowed:
            errors[name] = [f"Not used by {what}; leave it out."]
        elif not present and name in required:
            errors[name] = [f"Required by {what}."]
    if not errors and "tiers" in required:
        if not charge["tiers"]:
            errors["tiers"] = ["At least one tier."]
        elif problems := tier_errors(charge["tiers"]):
            errors["tiers"] = problems
    return errors


def _duplicate_errors(charges: list[dict[str, Any]]) -> Errors:
    """Each device and each metric is billed by one charge only, or an invoice would bill it twice."""
    errors: Errors = {}
    device_charges = [
        (i, c.get("device_model_sku")) for i, c in enumerate(charges) if c["kind"] == DEVICE_MONTHLY
    ]
    skus = [sku for _, sku in device_charges]
    for index, sku in device_charges:
        if sku is None and len(device_charges) > 1:
            errors[index] = {
                "device_model_sku": ["A charge for all devices cannot stand beside other device charges."]
            }
        elif sku is not None and skus.count(sku) > 1:
            errors[index] = {"device_model_sku": [f"Another charge already bills {sku}."]}
    by_metric: dict[str, list[int]] = defaultdict(list)
    for index, charge in enumerate(charges):
        if charge["kind"] == METERED and charge.get("metric"):
            by_metric[charge["metric"]].append(index)
    for metric, indexes in by_metric.items():
        for index in indexes[1:]:
            errors[index] = {"metric": [f"Another charge already bills {metric}."]}
    return errors


def plan_errors(plan: dict[str, Any]) -> Errors:
    errors: Errors = {}
    currency = plan["currency"]
    minimum = plan.get("minimum_monthly_amount")
    if minimum is not None and money.decimal_places(minimum) > money.exponent(currency):
        errors["minimum_monthly_amount"] = [f"{currency} amounts have {money.exponent(currency)} decimals."]
    charge_problems: Errors = {}
    for index, charge in enumerate(plan["charges"]):
        if problems := charge_errors(charge):
            charge_problems[index] = problems
    if not charge_problems:
        charge_problems = _duplicate_errors(plan["charges"])
    if charge_problems:
        errors["charges"] = charge_problems
    return errors
