"""`flask --app wsgi daas ...`: the command line, one group per domain."""

from __future__ import annotations

from flask.cli import AppGroup

from daas.auth.cli import tokens_group, users_group
from daas.billing.cli import bill_command
from daas.catalog.cli import catalog_group
from daas.demo.cli import demo_command
from daas.impact.cli import impact_group
from daas.logistics.cli import refresh_group
from daas.payments.cli import payments_group
from daas.scheduler.cli import scheduler_command

daas_group = AppGroup("daas", help="daas: Device-as-a-Service.")
for command in (
    users_group,
    tokens_group,
    catalog_group,
    demo_command,
    bill_command,
    payments_group,
    refresh_group,
    impact_group,
    scheduler_command,
):
    daas_group.add_command(command)
