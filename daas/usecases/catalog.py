"""The device catalog: adding and correcting a device model, and importing a footprint file, as the API,
the admin pages and `flask daas catalog import` start them."""

from __future__ import annotations

from daas.catalog import services
from daas.usecases.transaction import use_case

create_device_model = use_case(services.create_device_model)
update_device_model = use_case(services.update_device_model)
import_footprints = use_case(services.import_footprints)
