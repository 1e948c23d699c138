"""Races between real processes and threads on PostgreSQL; helpers shared by these tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from daas.extensions import db
from tests.conftest import TEST_DATABASE_URL

# How long a process or a condition may take before the test gives up on it: a guard against a hang, not a
# measure of speed, so it is generous (the suite runs on two workers, and a process starts a whole app).
TIMEOUT = 120.0
ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}.")
        time.sleep(0.02)


def sql(app: Flask, statement: str) -> list[Any]:
    """One statement on a connection of its own, committed: sees what others committed."""
    with app.app_context(), db.engine.begin() as connection:
        result = connection.execute(text(statement))
        return list(result) if result.returns_rows else []


def sessions_waiting_for_a_lock(app: Flask) -> int:
    return sql(
        app,
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )[0][0]


class Commands:
    """Real `flask --app wsgi daas ...` processes of one test on the test database, each writing to a log
    file of its own; whatever still runs at the end is killed (`kill_leftovers`)."""

    def __init__(self, logs: Path, name: str) -> None:
        self.logs = logs
        self.name = name
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def launch(self, arguments: list[str], settings: Mapping[str, Any]) -> subprocess.Popen[bytes]:
        log = self.logs / f"{self.name}-{len(self.started)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": TEST_DATABASE_URL,
            "DAAS_ENV": "testing",
            **{name: str(value) for name, value in settings.items()},
        }
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "daas", *arguments]
        with log.open("wb") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        self.started.append((process, log))
        return process

    def output(self, process: subprocess.Popen[bytes]) -> str:
        log = next(log for started, log in self.started if started is process)
        return log.read_text(errors="replace")

    def wait(self, process: subprocess.Popen[bytes]) -> str:
        """Wait for a process that must succeed; its output."""
        process.wait(timeout=TIMEOUT)
        output = self.output(process)
        assert process.returncode == 0, output
        return output

    def stop(self, process: subprocess.Popen[bytes]) -> str:
        """SIGTERM, and the process must leave cleanly; its output."""
        process.send_signal(signal.SIGTERM)
        return self.wait(process)

    def check_alive(self, *processes: subprocess.Popen[bytes]) -> None:
        for process in processes:
            assert process.poll() is None, f"exited early ({process.returncode}):\n{self.output(process)}"

    def kill_leftovers(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=TIMEOUT)
