"""Devices, their lifecycle and their chain of custody."""
