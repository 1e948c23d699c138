"""The scheduler: a dedicated process (`flask daas scheduler`) that runs the jobs of `config/jobs.py` at
their due times, once across any number of processes, and records every run in `job_runs`."""
