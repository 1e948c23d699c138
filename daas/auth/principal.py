"""Who is calling: the user behind a request, reduced to what access decisions need."""

from __future__ import annotations

from dataclasses import dataclass

from daas.auth.roles import CUSTOMER


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    role: str
    customer_id: int | None = None
    # A customer user who may approve orders over a person's allowance (staff approve by role).
    can_approve: bool = False

    @property
    def customer_scope(self) -> int | None:
        """The only customer this caller may see, or None for staff, who see every customer."""
        return self.customer_id if self.role == CUSTOMER else None

    @property
    def actor(self) -> str:
        """How this caller appears in the chain of custody."""
        return self.email
