"""The REST API's views, one module per domain: parse -> one use case -> respond."""
