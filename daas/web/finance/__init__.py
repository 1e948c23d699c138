"""Finance pages: the overview, contracts (sign, renewal, register and deploy devices), billing runs
(preview, run with progress, finalize), invoices (filters, totals, CSV export, PDF, void, credit notes,
bank transfers), the overdue list, the one-off charges to decide on, the scheduler's runs and the Stripe
events received (failed ones with their error, retried by hand), and the sustainability workshop (the
portfolio of the year's reports, and any customer's report and fleet planner).

Views are thin: they parse a form (`forms`), call the billing and payments services as their API does,
commit and say what happened. Reads the services lack are in `queries`. One module per section; every
view is registered on the one blueprint below, so endpoints stay `finance.<view>`.
"""

from __future__ import annotations

from flask import Blueprint

from daas.web.pages import add_navigation
from daas.web.security import secure_page

blp = Blueprint("finance", __name__, url_prefix="/finance")
blp.after_request(secure_page)
add_navigation(
    "finance",
    ("finance.home", "Overview"),
    ("finance.contracts", "Contracts"),
    ("finance.billing_runs", "Billing runs"),
    ("finance.invoices", "Invoices"),
    ("finance.overdue", "Overdue"),
    ("finance.charges", "Charges"),
    ("finance.sustainability", "Sustainability"),
    ("finance.job_runs", "Job runs"),
    ("finance.webhook_events", "Stripe events"),
)

# The sections register their views on `blp` when imported (after it exists).
from daas.web.finance import (  # noqa: E402, F401
    billing_runs,
    charges,
    contracts,
    home,
    invoices,
    job_runs,
    webhook_events,
    workshop,
)
