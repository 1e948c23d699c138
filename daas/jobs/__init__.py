"""The scheduler process and the jobs it runs: `flask daas scheduler` (command.py) serves (process.py) a
runner (runner.py) that claims each due or requested run in `job_runs` and carries it out. Each job
function (billing.py, payments.py, ...) takes a JobContext and calls one use case."""
