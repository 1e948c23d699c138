"""Usage events: what customers' devices did, as billable metrics count it."""
