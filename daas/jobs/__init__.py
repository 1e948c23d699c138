"""What the scheduler process calls: one function per job, each taking a JobContext and calling one
use case."""
