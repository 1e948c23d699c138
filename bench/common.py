"""What the bench scripts share: printing as they go, a fresh database to measure in, and the issuer the
production processes they start need (production has no demo issuer: DAAS_ISSUER_* come from the
environment, as on a real installation)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PRODUCTION_ISSUER = {
    "DAAS_ISSUER_NAME": "Bench Circular Devices B.V.",
    "DAAS_ISSUER_ADDRESS_LINE1": "Keizersgracht 1",
    "DAAS_ISSUER_POSTCODE": "1015 CC",
    "DAAS_ISSUER_CITY": "Amsterdam",
    "DAAS_ISSUER_VAT_ID": "NL004495445B01",
    "DAAS_ISSUER_REGISTRATION_ID": "0106:34110270",
    "DAAS_ISSUER_EMAIL": "billing@bench.example",
    "DAAS_ISSUER_IBAN": "NL91ABNA0417164300",
    "DAAS_ISSUER_BIC": "ABNANL2A",
}


def say(message: str) -> None:
    print(message, flush=True)


def fresh_database(url: str) -> None:
    """Drop and create the database `url` names; refuses any whose name does not contain "bench"."""
    parsed = make_url(url)
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to drop {parsed.database!r}: a bench database's name contains 'bench'")
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
