"""Contracts (subscriptions) and the deployments of devices to them."""
