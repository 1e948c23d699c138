"""Billable metrics and price plans with their charges (billing.md)."""
