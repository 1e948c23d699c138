"""Device workflows, each one transaction: take a device into stock, and record its measured condition.
What happens to a device on a contract or after it comes back is in the contracts and logistics use cases."""

from __future__ import annotations

from daas.devices import services
from daas.usecases.transaction import use_case

register_device = use_case(services.register_device)
record_battery_health = use_case(services.update_device_condition)
