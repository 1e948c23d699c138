"""How long a sign-in takes, by outcome: the right password, a wrong one, and an e-mail nobody has.

    .venv/bin/python bench/sign_in.py [--attempts 40]

A wrong password and an unknown address must take as long as each other (both check an Argon2 hash,
the unknown one against a stand-in), or the time of an answer tells which addresses have accounts.
Loads the demo on a fresh SQLite file, then posts the sign-in form in-process --attempts times per outcome,
each from a fresh client and, for the failures, with a fresh address or a cleared count so the lockout
never answers instead of the password check. Prints median and 95th-percentile times. Never part of the
test pass/fail.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import delete

from daas import create_app
from daas.auth.models import SignInFailure
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.demo import load_demo

PASSWORD = "daas-demo-2026"
KNOWN = "finance@daas.example"
OUTCOMES = {
    "right password": lambda n: (KNOWN, PASSWORD),
    "wrong password": lambda n: (KNOWN, f"not-the-password-{n}"),
    "unknown e-mail": lambda n: (f"nobody-{n}@daas.example", f"not-the-password-{n}"),
}


def attempt(app, email: str, password: str) -> tuple[float, int]:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
    value = next(group for group in token.groups() if group)
    start = time.perf_counter()
    response = client.post("/login", data={"csrf_token": value, "email": email, "password": password})
    return time.perf_counter() - start, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=40)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='daas-bench-')) / 'sign_in.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    with app.app_context():
        upgrade()
        load_demo(current_settings().billing_run)
        db.session.commit()
        db.session.remove()
    print(f"sign-in on SQLite, in-process, {args.attempts} attempts per outcome")
    medians = {}
    for outcome, credentials in OUTCOMES.items():
        timings = []
        with click.progressbar(range(args.attempts), label=f"{outcome:<16}", file=sys.stderr) as bar:
            for n in bar:
                seconds, status = attempt(app, *credentials(n))
                expected = 302 if outcome == "right password" else 401
                assert status == expected, (outcome, status)
                timings.append(seconds)
                with app.app_context():
                    db.session.execute(delete(SignInFailure))
                    db.session.commit()
        timings.sort()
        medians[outcome] = statistics.median(timings) * 1000
        p95 = timings[int(len(timings) * 0.95) - 1] * 1000
        print(f"{outcome:<16} median {medians[outcome]:6.1f} ms   p95 {p95:6.1f} ms")
    ratio = medians["unknown e-mail"] / medians["wrong password"]
    print(f"unknown e-mail / wrong password: {ratio:.2f}x")


if __name__ == "__main__":
    main()
