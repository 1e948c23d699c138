"""The finance overview: receivables, what is overdue, the last billing run, failed job runs and what was
invoiced by month."""

from __future__ import annotations

from typing import Any

from flask import render_template

from daas.billing import invoices as billing
from daas.billing.run_states import run_status
from daas.contracts.renewal import contracts_ending
from daas.core import clock
from daas.scheduler import models as job_states
from daas.scheduler.services import list_job_runs
from daas.web.finance import blp, queries
from daas.web.finance.billing_runs import last_month
from daas.web.pages import audience


@blp.get("")
@audience("finance")
def home() -> Any:
    today = clock.today()
    runs, _ = billing.list_runs(0, 1)
    _, failed_jobs = list_job_runs(status=job_states.FAILED, offset=0, limit=1)
    monthly = queries.invoiced_by_month(12)
    # One chart per currency: amounts in two currencies never share an axis.
    charts = [
        {
            "type": "bar",
            "labels": monthly.periods,
            "datasets": [{"label": currency, "data": [str(total) for total in totals]}],
            "unit": currency,
            "stacked": False,
        }
        for currency, totals in monthly.totals.items()
    ]
    return render_template(
        "finance/home.html",
        receivables=queries.receivables(),
        overdue=queries.invoice_totals(*queries.invoice_conditions(overdue_on=today)),
        last_run=runs[0] if runs else None,
        last_run_status=run_status(runs[0]) if runs else None,
        failed_jobs=failed_jobs,
        charts=charts,
        last_month=last_month(),
        ending=contracts_ending(today),
        show_customer=True,
    )
