"""Avoided IT waste attributed per subscription (impact.md, method daas-impact-1)."""
