"""The scheduler's job runs, filtered by job and status, newest due time first."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from daas.scheduler.services import list_job_runs
from daas.web.finance import blp
from daas.web.finance.forms import JobRunFilterForm
from daas.web.pages import audience, pager


@blp.get("/job-runs")
@audience("finance")
def job_runs() -> Any:
    form = JobRunFilterForm()
    job = status = None
    if request.args and form.validate():
        job, status = form.job.data or None, form.status.data or None
    page = pager(25)
    rows, total = list_job_runs(job, status, page.offset, page.size)
    return render_template("finance/job_runs.html", form=form, runs=rows, pager=page.with_total(total))
