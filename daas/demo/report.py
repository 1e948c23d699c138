"""What a demo load reports back (counts of what it created, the sign-ins) and the months it bills.

Shared by every step of the load and by the demo use case, so it sits below all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daas.billing.models import BillingRun
from daas.core.periods import Period


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role, token)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    def billed(self, run: BillingRun, month: DemoMonth) -> None:
        self.count("finalized invoices" if month.finalize else "draft invoices", run.invoices_created)


@dataclass(frozen=True)
class DemoMonth:
    """A month the demo bills: the older ones finalized, the last one left as drafts for review."""

    period: Period
    finalize: bool
