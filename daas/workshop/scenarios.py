"""Scenarios of the what-if planner as a customer writes them, checked; saved scenarios; and applying one
to the customer's contracts.

A scenario is a kind and its choices: `extend` takes `months`, a whole number of months (1 to 60) for every
category or one per category ({"laptop": 12, "*": 6}: "*" stands for the categories not named);
`refurbished_first` takes `share`, the part (0 to 1) of replacements served by refurbished stock;
`as_is` and `upgrade_first` take nothing. A bad choice is an `Invalid` naming its field.

Applying sets what a contract can hold, its own refresh cycle (`contracts.refresh_cycle_months`, which the
refresh planner reads before its plan's): `extend` sets it to the plan's cycle plus the months of the
category most of the contract's deployed devices are (ties: the category first by name; no device, or a
category without months and no "*": the contract is left as it is); `as_is` clears it, back to the plan's
cycle. `upgrade_first` and `refurbished_first` are policies of the provider's refresh desk, not a contract
setting: applying them is a 409.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from daas.catalog.models import CATEGORIES, DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.extensions import db
from daas.workshop.models import SavedScenario
from daas.workshop.plan_types import KINDS, Scenario, ScenarioKind

ALL_CATEGORIES = "*"
MAX_EXTEND_MONTHS = 60
MAX_CYCLE_MONTHS = 120  # contracts.refresh_cycle_months' check
MAX_NAME = 100
HORIZONS = range(1, 11)


def choices_of(item: Mapping[str, Any], prefix: str = "") -> tuple[str, dict[str, Any]]:
    """The kind and the choices (as stored: {"months": {category: n}} or {"share": "0.25"}) of one scenario
    written as {kind, months?, share?}; `Invalid` names the field (after `prefix`, as "scenarios.0.")."""
    kind = item.get("kind")
    if kind not in KINDS:
        raise Invalid.field(f"{prefix}kind", f"One of {', '.join(KINDS)}.")
    months, share = item.get("months"), item.get("share")
    if kind != ScenarioKind.EXTEND and months is not None:
        raise Invalid.field(f"{prefix}months", "Only an extend scenario takes months.")
    if kind != ScenarioKind.REFURBISHED_FIRST and share is not None:
        raise Invalid.field(f"{prefix}share", "Only a refurbished_first scenario takes a share.")
    if kind == ScenarioKind.EXTEND:
        return kind, {"months": _months(months, f"{prefix}months")}
    if kind == ScenarioKind.REFURBISHED_FIRST:
        return kind, {"share": str(_share(share, f"{prefix}share"))}
    return kind, {}


def _months(value: Any, field: str) -> dict[str, int]:
    if value is None:
        raise Invalid.field(field, "An extend scenario needs months: a number, or one per category.")
    by_category = {ALL_CATEGORIES: value} if not isinstance(value, Mapping) else dict(value)
    if not by_category:
        raise Invalid.field(field, "Name at least one category (or * for all).")
    for category, months in by_category.items():
        if category != ALL_CATEGORIES and category not in CATEGORIES:
            raise Invalid.field(f"{field}.{category}", f"One of {', '.join(CATEGORIES)}, or * for all.")
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_EXTEND_MONTHS:
            where = field if not isinstance(value, Mapping) else f"{field}.{category}"
            raise Invalid.field(where, f"A whole number of months from 1 to {MAX_EXTEND_MONTHS}.")
    return by_category


def _share(value: Any, field: str) -> Decimal:
    try:
        share = Decimal(str(value)) if value is not None and not isinstance(value, bool) else None
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 <= share <= 1:
        raise Invalid.field(field, "A share from 0 to 1.")
    return share


def scenario_of(kind: str, choices: Mapping[str, Any], name: str = "") -> Scenario:
    """The planner's value of checked (or stored) choices."""
    return Scenario(
        kind=kind,
        name=name,
        extend_months=dict(choices.get("months") or {}),
        refurbished_share=Decimal(choices.get("share", "0")),
    )


def check_name(name: Any, field: str = "name") -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(text) <= MAX_NAME:
        raise Invalid.field(field, f"A name of 1 to {MAX_NAME} characters.")
    return text


def check_horizon(horizon_years: Any, field: str = "horizon_years") -> int:
    if isinstance(horizon_years, bool) or horizon_years not in HORIZONS:
        raise Invalid.field(field, f"Whole years from {HORIZONS.start} to {HORIZONS.stop - 1}.")
    return int(horizon_years)


def check_contract(customer_id: int, contract_id: int | None, field: str = "contract_id") -> Contract | None:
    """The customer's contract `contract_id` (None for the whole customer); another's is `Invalid`."""
    if contract_id is None:
        return None
    contract = db.session.get(Contract, contract_id)
    if contract is None or contract.customer_id != customer_id:
        raise Invalid.field(field, f"The customer has no contract {contract_id}.")
    return contract


def create_saved_scenario(
    customer_id: int,
    name: Any,
    kind: Any,
    choices: Mapping[str, Any],
    horizon_years: Any,
    actor: str,
    contract_id: int | None = None,
) -> SavedScenario:
    """Keep a checked scenario for the customer (or one of its contracts). `choices` as written: {months?,
    share?}. The caller commits."""
    name = check_name(name)
    kind, stored = choices_of({"kind": kind, **choices})
    horizon = check_horizon(horizon_years)
    check_contract(customer_id, contract_id)
    scenario = SavedScenario(
        customer_id=customer_id,
        contract_id=contract_id,
        name=name,
        kind=kind,
        choices=stored,
        horizon_years=horizon,
        created_by=actor,
    )
    db.session.add(scenario)
    db.session.flush()
    return scenario


def list_saved_scenarios(customer_id: int) -> list[SavedScenario]:
    return list(
        db.session.scalars(
            select(SavedScenario).where(SavedScenario.customer_id == customer_id).order_by(SavedScenario.id)
        )
    )


def get_saved_scenario(customer_id: int, scenario_id: int, lock: bool = False) -> SavedScenario:
    query = select(SavedScenario).where(
        SavedScenario.id == scenario_id, SavedScenario.customer_id == customer_id
    )
    scenario = db.session.scalar(query.with_for_update() if lock else query)
    if scenario is None:
        raise NotFound(f"No saved scenario {scenario_id}.")
    return scenario


def apply_saved_scenario(customer_id: int, scenario_id: int, actor: str) -> list[int]:
    """Set the refresh cycle of the scenario's contract (or of each of the customer's contracts still
    running) as the module's docstring says; the ids of the contracts whose cycle changed. The caller
    commits."""
    scenario = get_saved_scenario(customer_id, scenario_id, lock=True)
    if scenario.kind not in (ScenarioKind.EXTEND, ScenarioKind.AS_IS):
        raise Conflict(
            f"A {scenario.kind} scenario is not a contract setting: the refresh desk decides each refresh.",
            errors={"kind": [f"{scenario.kind} is not a contract setting; extend and as_is are."]},
        )
    query = select(Contract).where(Contract.customer_id == customer_id).order_by(Contract.id)
    if scenario.contract_id is not None:
        query = query.where(Contract.id == scenario.contract_id)
    else:
        query = query.where(Contract.end_date > clock.today(), Contract.terminated_on.is_(None))
    contracts = list(db.session.scalars(query.with_for_update()))
    months = dict(scenario.choices.get("months") or {})
    categories = _main_categories([contract.id for contract in contracts])
    changed = []
    for contract in contracts:
        cycle = _cycle_for(contract, scenario.kind, months, categories.get(contract.id))
        if cycle != contract.refresh_cycle_months:
            contract.refresh_cycle_months = cycle
            changed.append(contract.id)
    scenario.applied_at, scenario.applied_by = clock.now(), actor
    db.session.flush()
    return changed


def _cycle_for(contract: Contract, kind: str, months: dict[str, int], category: str | None) -> int | None:
    if kind == ScenarioKind.AS_IS:
        return None
    extra = months.get(category, months.get(ALL_CATEGORIES)) if category else months.get(ALL_CATEGORIES)
    if extra is None:
        return contract.refresh_cycle_months  # nothing said for its devices: left as it is
    cycle = contract.plan.refresh_cycle_months + extra
    if cycle > MAX_CYCLE_MONTHS:
        raise Conflict(
            f"Contract {contract.id} would refresh every {cycle} months; at most {MAX_CYCLE_MONTHS}.",
            errors={
                "months": [
                    f"The plan's {contract.plan.refresh_cycle_months} months plus {extra} is "
                    f"more than {MAX_CYCLE_MONTHS}."
                ]
            },
        )
    return cycle


def _main_categories(contract_ids: list[int]) -> dict[int, str]:
    """Per contract, the category most of its deployed devices are (ties: first by name), in one query."""
    if not contract_ids:
        return {}
    counts: dict[int, Counter[str]] = {}
    for contract_id, category in db.session.execute(
        select(Deployment.contract_id, DeviceModel.category)
        .join(Device, Device.id == Deployment.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(
            Deployment.contract_id.in_(contract_ids),
            Deployment.end_date.is_(None),
            Device.status == DeviceStatus.DEPLOYED,
        )
    ):
        counts.setdefault(contract_id, Counter())[category] += 1
    return {cid: min(c, key=lambda category: (-c[category], category)) for cid, c in counts.items()}
