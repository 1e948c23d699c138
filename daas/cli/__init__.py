"""`flask --app wsgi daas ...`: the command line, one group per domain. The scheduler process's own command
(`daas scheduler`) is daas.jobs' and joins the group in create_app."""

from __future__ import annotations

from flask.cli import AppGroup

from daas.cli.auth import tokens_group, users_group
from daas.cli.billing import bill_command
from daas.cli.catalog import catalog_group
from daas.cli.contracts import contracts_group
from daas.cli.demo import demo_command
from daas.cli.impact import impact_group
from daas.cli.logistics import refresh_group
from daas.cli.notifications import notifications_group
from daas.cli.orders import orders_group
from daas.cli.payments import payments_group

daas_group = AppGroup("daas", help="daas: Device-as-a-Service.")
for command in (
    users_group,
    tokens_group,
    catalog_group,
    contracts_group,
    demo_command,
    bill_command,
    payments_group,
    refresh_group,
    orders_group,
    impact_group,
    notifications_group,
):
    daas_group.add_command(command)
