"""Shared REST plumbing: the Api object, the JSON parser, fields, pagination and the docs page."""
