"""A typed client generated from the OpenAPI document with openapi-python-client, what Python integrators
use, is complete: the generator warns about nothing, every schema is a model (Invoice and Payment among
them), every operation a function, and the client reads the API's answers, files included.

The client is generated once per module from the app's own document, with the settings integrators are
told to use (docs/openapi-python-client.yaml), into a temporary directory.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from flask import Flask

from daas import ROOT
from daas.core import clock
from tests.fuzz.world import TODAY, build_world

GENERATOR_CONFIG = ROOT / "docs" / "openapi-python-client.yaml"
RESOURCES = ("Invoice", "InvoiceLine", "Payment", "CreditNote", "Customer", "Contract", "Device", "Plan")


class Generated:
    def __init__(self, document: dict[str, Any], output: str, returncode: int, package: ModuleType | None):
        self.document = document
        self.output = output
        self.returncode = returncode
        self.package = package

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if method != "parameters":
                    yield method, path, operation

    def function(self, method: str, path: str, operation: dict[str, Any]) -> ModuleType:
        """The module of an operation, where openapi-python-client puts it: api/<tag>/<method>_<path>.py."""
        tag = _snake(operation["tags"][0])
        return importlib.import_module(f"daas_client.api.{tag}.{_snake(f'{method} {path}')}")


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@pytest.fixture(scope="module")
def generated(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    where = tmp_path_factory.mktemp("generated-client")
    (where / "openapi.json").write_text(json.dumps(document))
    tools = Path(sys.executable).parent  # the generator, and ruff for its formatting step
    result = subprocess.run(
        [
            str(tools / "openapi-python-client"),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--config",
            str(GENERATOR_CONFIG),
            "--output-path",
            str(where / "daas-client"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    package = None
    if result.returncode == 0:
        sys.path.insert(0, str(where / "daas-client"))
        package = importlib.import_module("daas_client")
    yield Generated(document, result.stdout + result.stderr, result.returncode, package)
    sys.path[:] = [entry for entry in sys.path if entry != str(where / "daas-client")]
    for name in [name for name in sys.modules if name == "daas_client" or name.startswith("daas_client.")]:
        del sys.modules[name]


def test_the_generator_warns_about_nothing(generated: Generated) -> None:
    assert generated.returncode == 0, generated.output
    said = [line for line in generated.output.splitlines() if line.strip()]
    assert [line for line in said if not line.startswith("Generating ")] == [], generated.output


def test_every_schema_is_a_model(generated: Generated) -> None:
    assert generated.package is not None, generated.output
    models = importlib.import_module("daas_client.models")
    schemas = generated.document["components"]["schemas"]
    assert set(RESOURCES) <= set(schemas)
    assert [name for name in schemas if not hasattr(models, name)] == []


def test_every_operation_is_a_function(generated: Generated) -> None:
    assert generated.package is not None, generated.output
    operations = list(generated.operations())
    assert len(operations) > 80
    for method, path, operation in operations:
        module = generated.function(method, path, operation)
        assert callable(module.sync_detailed), (method, path)
    functions = list((Path(generated.package.__file__).parent / "api").glob("*/*.py"))
    assert len([f for f in functions if f.name != "__init__.py"]) == len(operations)


def test_the_client_reads_an_invoice_with_its_payment_and_its_files(
    app: Flask, database: Any, generated: Generated
) -> None:
    assert generated.package is not None, generated.output
    from daas_client import AuthenticatedClient  # type: ignore[import-not-found]
    from daas_client.api.invoices import (  # type: ignore[import-not-found]
        get_api_v1_invoices_export_csv,
        get_api_v1_invoices_invoice_id,
        get_api_v1_invoices_invoice_id_pdf,
    )
    from daas_client.models import CollectionMethod, Invoice, InvoiceStatus  # type: ignore[import-not-found]
    from daas_client.types import File  # type: ignore[import-not-found]

    with clock.frozen(TODAY):
        world = build_world()
        client = AuthenticatedClient(
            base_url="http://localhost",
            token=world.tokens["finance"],
            raise_on_unexpected_status=True,
            httpx_args={"transport": httpx.WSGITransport(app=app)},
        )
        invoice_id = world.objects["invoice"][0]
        invoice = get_api_v1_invoices_invoice_id.sync(invoice_id, client=client)
        pdf = get_api_v1_invoices_invoice_id_pdf.sync(invoice_id, client=client)
        export = get_api_v1_invoices_export_csv.sync(client=client, period="2026-10")

    assert isinstance(invoice, Invoice)
    assert invoice.status is InvoiceStatus.OPEN
    assert [(p.method, p.amount) for p in invoice.payments] == [(CollectionMethod.BANK_TRANSFER, "10.00")]
    # A credit note of 1.00 net on a 21 % invoice takes 1.21 off it.
    assert [(note.net_amount, note.tax_amount, note.amount) for note in invoice.credit_notes] == [
        ("1.00", "0.21", "1.21")
    ]
    assert isinstance(pdf, File) and pdf.payload.read().startswith(b"%PDF")
    assert isinstance(export, File) and invoice.number in export.payload.read().decode()
