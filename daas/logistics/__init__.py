"""Takeback and refresh: pickup slots, return orders, refresh orders and the planner (logistics.md)."""
