"""Scheduled work as records: the declared jobs and their schedules (registry, schedule), the runs in
`job_runs` (models), requested runs (requests) and which scheduler processes are alive (presence). The
process that carries the runs out is daas.jobs (process, runner, command)."""
