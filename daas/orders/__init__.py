"""The way out: orders from a contract's catalog, allocation from stock (refurbished first), shipments
with their packaging and delivery slots, and delivery starting the service."""
