"""What the REST API accepts and shows (marshmallow schemas, one module per domain), the fields they are
built of, and how those fields read in the OpenAPI document. Pages and commands reuse them where they show
the same thing."""
