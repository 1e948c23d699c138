"""Collecting invoices: Stripe customers and cards, payment attempts, webhooks, dunning, refunds, and
bank transfers recorded by finance. daas stays the system of record; Stripe is the rail."""
