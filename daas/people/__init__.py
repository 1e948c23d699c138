"""A customer's people: the employees devices are ordered for, delivered to and collected from."""
