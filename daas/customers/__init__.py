"""Customers: the companies that rent devices."""
