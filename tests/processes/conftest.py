"""Fixtures of the process tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.processes.test_billing_processes import Processes


@pytest.fixture
def processes(committed: Flask, tmp_path: Path) -> Iterator[Processes]:
    """`flask daas bill` processes, set up after `committed` so leftovers are killed before its tables are
    truncated."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.kill_leftovers()
