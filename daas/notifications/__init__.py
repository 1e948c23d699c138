"""Telling people and systems: the outbox's events fanned out into e-mails and signed webhook deliveries,
each claimed by one scheduler at a time, sent, and retried with backoff until it is sent or given up."""
