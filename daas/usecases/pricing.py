"""Metrics and price plans: defining them, as the API and the admin pages start it. Plans are not changed
once made (contracts and invoices rely on them): a new price is a new plan."""

from __future__ import annotations

from daas.pricing import services
from daas.usecases.transaction import use_case

create_metric = use_case(services.create_metric)
create_plan = use_case(services.create_plan)
