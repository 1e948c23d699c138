"""The plain values a PDF statement prints, gathered from a statement and the records it names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from daas.contracts.models import Contract
from daas.extensions import db
from daas.impact.models import ImpactParameterSet
from daas.impact.packaging import FIELDS as PACKAGING_FIELDS
from daas.impact.parameter_sets import in_force_on
from daas.impact.parameters import METHOD
from daas.impact.statement_pdf import StatementDocument
from daas.impact.statements import QUANTITIES


def statement_document(statement: dict[str, Any], issuer: str) -> StatementDocument:
    """The statement with its customer, plan and the parameters (latest version used) it was computed with."""
    contract = db.session.get(Contract, statement["contract_id"])
    versions = statement["parameter_set_versions"]
    if versions:
        used = db.session.scalar(
            select(ImpactParameterSet).where(
                ImpactParameterSet.method == METHOD, ImpactParameterSet.version == max(versions)
            )
        )
    else:
        used = db.session.get(ImpactParameterSet, in_force_on(statement["as_of"]).id)
    totals = {
        name: statement[name]
        for name in ("service_days", "devices", "second_life_devices", "upgrades", *QUANTITIES)
    }
    return StatementDocument(
        issuer=issuer,
        customer_name=contract.customer.name,
        customer_country=contract.customer.country,
        contract_id=contract.id,
        plan_name=contract.plan.name,
        period_from=statement["from"],
        period_to=statement["to"],
        as_of=statement["as_of"],
        method=statement["method"],
        parameter_set_versions=tuple(versions or [used.version]),
        provisional_periods=tuple(statement["provisional_periods"]),
        totals=totals,
        by_device=tuple(statement["by_device"]),
        by_period=tuple(statement["by_period"]),
        packaging={name: statement[name] for name in PACKAGING_FIELDS},
        parameters=used.values,
        sources=used.sources,
    )
