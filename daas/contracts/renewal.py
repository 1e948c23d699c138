"""Auto-renewal: a contract's renewal settings, the daily round that renews the contracts reaching their
end date, and the contracts whose end-of-term notices are due (what the pages list).

The rules (when a contract renews, when notices fall due) are pure, in `renewal_rules`. A renewal moves
the end date and writes one `contract_renewals` row, unique per contract and end date renewed from: a
round run twice, or by two schedulers at once, renews a contract once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from daas.contracts import renewal_rules as rules
from daas.contracts.models import Contract, ContractRenewal
from daas.core.errors import Invalid
from daas.customers.models import Customer
from daas.extensions import db

RENEWAL_FIELDS = ("renews", "renewal_months", "renewal_notice_days")


def apply_renewal_settings(contract: Contract, settings: dict[str, Any], today: date) -> None:
    """Set what is sent of `renews`, `renewal_months`, `renewal_notice_days`. Turning `renews` off records
    the day (`renewal_stopped_on`): after the notice deadline the coming renewal still happens."""
    months = settings.get("renewal_months", contract.renewal_months)
    notice_days = settings.get("renewal_notice_days", contract.renewal_notice_days)
    if months is None or not 1 <= months <= 120:
        raise Invalid.field("renewal_months", "From 1 to 120 months.")
    if notice_days is None or not 0 <= notice_days <= 365:
        raise Invalid.field("renewal_notice_days", "From 0 to 365 days.")
    contract.renewal_months, contract.renewal_notice_days = months, notice_days
    if "renews" in settings:
        renews = bool(settings["renews"])
        if contract.renews and not renews:
            contract.renewal_stopped_on = today
        elif renews:
            contract.renewal_stopped_on = None
        contract.renews = renews


def will_renew(contract: Contract) -> bool:
    return rules.will_renew(
        contract.renews,
        contract.renewal_stopped_on,
        contract.end_date,
        contract.renewal_notice_days,
        contract.terminated_on,
    )


@dataclass
class RenewalReport:
    renewed: list[tuple[int, date]] = field(default_factory=list)  # contract id, new end date
    failed: list[tuple[int, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"renewed": len(self.renewed), "failed": len(self.failed)}


def renewable_contract_ids(today: date) -> list[int]:
    """Contracts on (or past) their last day that may renew: `renews`, or turned off late."""
    rows = db.session.execute(
        select(Contract.id, Contract.renews, Contract.renewal_stopped_on).where(
            Contract.end_date <= today + timedelta(days=1),
            Contract.terminated_on.is_(None),
            (Contract.renews.is_(True)) | (Contract.renewal_stopped_on.is_not(None)),
        )
    ).all()
    return [row.id for row in rows]


def renew_contract(contract_id: int, today: date, actor: str) -> date | None:
    """Renew one contract if it is due, as many terms as it takes to go past today (a round missed for a
    long time catches up); None when it was not due. The caller commits; a renewal another round made at
    the same moment is a unique violation, raised as IntegrityError for the caller's savepoint."""
    contract = db.session.scalar(select(Contract).where(Contract.id == contract_id).with_for_update())
    renewed_to: date | None = None
    while contract is not None and rules.renews_now(contract.end_date, today) and will_renew(contract):
        new_end = rules.renewed_end(contract.end_date, contract.renewal_months)
        db.session.add(
            ContractRenewal(
                contract_id=contract.id,
                from_end_date=contract.end_date,
                to_end_date=new_end,
                months=contract.renewal_months,
                actor=actor,
            )
        )
        contract.end_date = new_end
        # A late "do not renew" held for the renewal it could not stop; the contract ends after this term.
        contract.renewal_stopped_on = None
        db.session.flush()
        renewed_to = new_end
    return renewed_to


def renew_due_contracts(today: date, actor: str) -> RenewalReport:
    """Renew every contract that is due, each in a savepoint: one that fails is recorded with its error
    and the others go on. The caller commits."""
    report = RenewalReport()
    for contract_id in renewable_contract_ids(today):
        try:
            with db.session.begin_nested():
                renewed_to = renew_contract(contract_id, today, actor)
        except IntegrityError:
            continue  # renewed at the same moment by another round
        except Exception as error:  # one contract must not stop the round: it is recorded
            report.failed.append((contract_id, f"{type(error).__name__}: {error}"[:500]))
            continue
        if renewed_to is not None:
            report.renewed.append((contract_id, renewed_to))
    return report


def renewals_of(contract_id: int) -> list[ContractRenewal]:
    return list(
        db.session.scalars(
            select(ContractRenewal)
            .where(ContractRenewal.contract_id == contract_id)
            .order_by(ContractRenewal.from_end_date)
        )
    )


@dataclass(frozen=True)
class EndingContract:
    """A contract whose end-of-term notice is due: what the pages list."""

    contract_id: int
    reference: str
    customer_id: int
    customer_name: str
    end_date: date
    days_left: int
    notice_days_before: int
    will_renew: bool


def contracts_ending(today: date, customer_id: int | None = None, limit: int = 200) -> list[EndingContract]:
    """Contracts within the first notice (90 days) of their end date, soonest first."""
    horizon = today + timedelta(days=max(rules.NOTICE_DAYS))
    query = (
        select(Contract, Customer.name)
        .join(Customer, Customer.id == Contract.customer_id)
        .where(Contract.end_date > today, Contract.end_date <= horizon, Contract.terminated_on.is_(None))
        .order_by(Contract.end_date, Contract.id)
        .limit(limit)
    )
    if customer_id is not None:
        query = query.where(Contract.customer_id == customer_id)
    ending = []
    for contract, customer_name in db.session.execute(query):
        notice = rules.next_notice(contract.end_date, today)
        if notice is None:
            continue
        ending.append(
            EndingContract(
                contract_id=contract.id,
                reference=contract.reference,
                customer_id=contract.customer_id,
                customer_name=customer_name,
                end_date=contract.end_date,
                days_left=(contract.end_date - today).days,
                notice_days_before=notice.days_before,
                will_renew=will_renew(contract),
            )
        )
    return ending
