"""Scheduled work as records: the declared jobs and their schedules (registry, schedule), the runs in
`job_runs` (models) with their claims, leases and outcomes (runs), requested runs (requests), which
scheduler processes are alive (presence) and the words their records use (texts). The process that carries
the runs out is daas.jobs (process, runner, command); the steps that commit are daas.usecases.job_runs."""
