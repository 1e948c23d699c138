"""Billing: rating, billing runs, invoices, taxes, credit notes and exports (billing.md)."""
