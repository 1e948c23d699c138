"""The import contracts in pyproject.toml hold, and each one fails when an import breaks it.

`make lint` runs import-linter on the real tree; these tests run it on a copy with one bad import added,
so a contract that could never fail (a typo in a module name, a layer listed twice) is caught too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], check=False, cwd=tree, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    copy = tmp_path_factory.mktemp("contracts")
    shutil.copytree(ROOT / "daas", copy / "daas", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _with_line(tree: Path, module: str, line: str) -> Path:
    """A copy of `tree` whose `module` file ends with `line`."""
    broken = tree.parent / f"{tree.name}-{module.replace('/', '-')}-{abs(hash(line))}"
    shutil.copytree(tree, broken)
    with (broken / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    return broken


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # A domain reaching up into an entry point.
        (
            "daas/billing/invoices.py",
            "from daas.api.views import billing as _views  # noqa",
            "Entry points -> use cases -> domains -> core, never back",
        ),
        # Billing depending on payments (payments depends on billing, never the reverse), even late.
        (
            "daas/billing/run.py",
            "def _late():\n    from daas.payments import services  # noqa",
            "Entry points -> use cases -> domains -> core, never back",
        ),
        # One entry point using another.
        (
            "daas/cli/billing.py",
            "from daas.web import pages as _pages  # noqa",
            "Entry points -> use cases -> domains -> core, never back",
        ),
        # A domain reading the Flask config.
        (
            "daas/logistics/refresh.py",
            "from flask import current_app as _app  # noqa",
            "Use cases and domains know nothing of Flask",
        ),
        # Rating touching the database.
        (
            "daas/billing/rating.py",
            "from daas.extensions import db as _db  # noqa",
            "Pure calculation and rules",
        ),
        # Two modules of a package importing each other.
        (
            "daas/core/money.py",
            "from daas.core import periods as _periods  # noqa",
            "No import cycles",
        ),
    ],
)
def test_a_bad_import_breaks_its_contract(tree, module, line, contract):
    if "No import cycles" in contract:
        # periods does not import money today; make it, so the new arrow closes a circle.
        tree = _with_line(tree, "daas/core/periods.py", "from daas.core import money as _money  # noqa")
    result = _lint(_with_line(tree, module, line))
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout
