"""Device workflows, each one transaction: take a device into stock, and record its measured condition.
What happens to a device on a contract or after it comes back is in the contracts and logistics use cases."""

from __future__ import annotations

from datetime import date

from daas.devices import services
from daas.devices.models import Device
from daas.usecases.transaction import use_case


@use_case
def register_device(
    serial: str,
    sku: str,
    actor: str,
    manufactured_on: date | None = None,
    battery_health: int | None = None,
    on: date | None = None,
) -> Device:
    """Take a device into stock; its first custody event says when and by whom."""
    return services.register_device(serial, sku, actor, manufactured_on, battery_health, on)


@use_case
def record_battery_health(serial: str, battery_health: int | None) -> Device:
    """A measured battery health, which the refresh planner reads when it proposes upgrade or replace."""
    return services.update_device_condition(serial, battery_health)
