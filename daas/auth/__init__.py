"""Users, roles and API tokens; who may do what."""
