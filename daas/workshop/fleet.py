"""What the what-if planner starts from, read from the database: the customer's fleet as it stands today,
and the settings the projection uses.

The fleet is read set-based (a handful of queries whatever its size, never one per device): the devices
deployed on the customer's contracts (open deployments of deployed devices), each with its model's facts,
the months its upgrades added, the refresh cycle in force (the contract's own, else its plan's, as the
refresh planner reads it), what it bills a month on its plan, and the grid factor of the country where it
serves (its person's country, else the customer's). The planner itself (`daas.workshop.planner`) is pure.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.errors import Conflict
from daas.customers.models import Customer
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.extensions import db
from daas.impact.grid_factor_sets import latest_grid_factors
from daas.impact.grid_factors import GridFactorTable
from daas.impact.parameter_sets import in_force_on
from daas.logistics.refresh import cycle_in_force, extension_months
from daas.logistics.rules import UpgradePolicy
from daas.orders.catalog import plan_device_charges
from daas.orders.rules import monthly_amount
from daas.people.models import Person
from daas.pricing.models import Plan
from daas.workshop.plan_types import FleetDevice, PlannerSettings

REUSED_GRADES = ("A", "B", "C")  # a device graded D is recycled or harvested, the others go on
DEFAULT_REUSE_SHARE = Decimal("0.75")  # until the provider has graded a device


def fleet_of(customer_id: int, contract_id: int | None = None, *, as_of: date) -> list[FleetDevice]:
    """The devices deployed today on the customer's contracts (or on one of them), ordered by device id.
    The caller has checked that the customer (and the contract) may be read."""
    extensions = extension_months()
    query = (
        select(
            Device.id,
            Device.manufactured_on,
            Device.battery_health,
            Device.grade,
            Device.lives,
            Device.device_model_id,
            Deployment.contract_id,
            Deployment.start_date,
            DeviceModel.category,
            DeviceModel.embodied_co2e_kg,
            DeviceModel.weight_kg,
            DeviceModel.use_kwh_per_year,
            DeviceModel.expected_lifetime_months,
            cycle_in_force(),
            func.coalesce(extensions.c.months, 0),
            Plan.id,
            Plan.currency,
            func.coalesce(Person.country, Customer.country),
        )
        .join(Device, Device.id == Deployment.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .join(Contract, Contract.id == Deployment.contract_id)
        .join(Plan, Plan.id == Contract.plan_id)
        .join(Customer, Customer.id == Contract.customer_id)
        .outerjoin(Person, Person.id == Deployment.person_id)
        .outerjoin(extensions, extensions.c.deployment_id == Deployment.id)
        .where(
            Contract.customer_id == customer_id,
            Deployment.end_date.is_(None),
            Device.status == DeviceStatus.DEPLOYED,
        )
        .order_by(Device.id)
    )
    if contract_id is not None:
        query = query.where(Contract.id == contract_id)
    rows = db.session.execute(query).all()
    charges = plan_device_charges({row[15] for row in rows})
    grid = _grid_table()
    fleet = []
    for (
        device_id,
        manufactured_on,
        battery_health,
        grade,
        lives,
        model_id,
        device_contract_id,
        deployed_on,
        category,
        embodied,
        weight,
        kwh,
        lifetime,
        cycle,
        months,
        plan_id,
        currency,
        country,
    ) in rows:
        factor = grid.factor_for(country, as_of.year) if grid is not None else None
        fleet.append(
            FleetDevice(
                device_id=device_id,
                contract_id=device_contract_id,
                category=category,
                embodied_kg=embodied,
                mass_kg=weight,
                kwh_per_year=kwh,
                deployed_on=deployed_on,
                manufactured_on=manufactured_on,
                battery_health=battery_health,
                grade=grade,
                expected_lifetime_months=lifetime,
                refresh_cycle_months=int(cycle),
                extension_months=int(months),
                monthly_price=monthly_amount(charges[plan_id], model_id) or Decimal(0),
                currency=currency,
                grid_kg_per_kwh=factor.kg_per_kwh if factor is not None else None,
                lives=max(lives, 1),
            )
        )
    return fleet


def _grid_table() -> GridFactorTable | None:
    """The latest stored grid factors; None when no set is stored yet (the use phase has no CO2e then)."""
    try:
        return latest_grid_factors()
    except Conflict:
        return None


def planner_settings(
    currency: str,
    *,
    as_of: date | None = None,
    policy: UpgradePolicy | None = None,
    upgrade_fees: dict[str, Decimal] | None = None,
) -> PlannerSettings:
    """The projection's settings: the refresh planner's upgrade rules (`policy`, the installation's
    `current_settings().upgrade`, which the entry point hands down), the impact parameters in force on
    `as_of` (today by default), the upgrade fee in `currency` (from `DAAS_WORKSHOP_UPGRADE_FEES`; none
    known: no fee), and the share of leaving devices expected to be reused, by the grades given so far."""
    fees = upgrade_fees or {}
    return PlannerSettings(
        policy=policy or UpgradePolicy(),
        parameters=in_force_on(as_of or clock.today()).parameters,
        upgrade_fees={currency: fees[currency]} if currency in fees else {},
        reuse_share=reuse_share(),
    )


def reuse_share() -> Decimal:
    """The share of graded devices (by their last grade) graded A, B or C, to four places; 0.75 when no
    device has been graded yet."""
    counts = dict(
        db.session.execute(
            select(Device.grade, func.count()).where(Device.grade.is_not(None)).group_by(Device.grade)
        ).all()
    )
    graded = sum(counts.values())
    if not graded:
        return DEFAULT_REUSE_SHARE
    reused = sum(counts.get(grade, 0) for grade in REUSED_GRADES)
    return (Decimal(reused) / Decimal(graded)).quantize(Decimal("0.0001"))
