"""Loading the demo data set (`flask daas demo`, `make run`, the page benchmarks and screenshots).

The demo's world is built in one go and committed; then the recent months are billed by billing runs,
which commit chunk by chunk as every billing run does (so what they bill must stand first), and last the
impact months are closed. Loading again adds nothing: each step skips what exists already.
"""

from __future__ import annotations

from daas.billing.invoices import finalize_run
from daas.billing.run import RunSettings
from daas.demo import world as demo
from daas.demo.report import DemoReport
from daas.usecases.billing import run_billing_period
from daas.usecases.transaction import commit, use_case


@use_case
def load_demo(settings: RunSettings) -> DemoReport:
    """Load the demo data set, invoices included (billed and issued as `settings` say: VAT as its issuer's
    country charges it); what was created, and the demo users with their well-known tokens."""
    report = demo.build_demo_world(issuer_vat_id=settings.documents.issuer.vat_id)
    commit()  # a billing run commits as it goes: the contracts and usage it bills must stand first
    for month in demo.months_to_bill():
        run = run_billing_period(month.period, demo.ACTOR, settings)
        report.billed(run, month)
        if month.finalize:
            finalize_run(run.id, settings.documents, settings.chunk_size)
    demo.close_impact_months(report)
    return report
