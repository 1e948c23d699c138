"""What every page blueprint shares: who may see it, the navigation of each role, paging, and turning a
service call into a committed change with a message, or into errors beside the form's fields.

Pages call the same services as the API; nothing here knows a domain.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from flask import abort, flash, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from daas.auth.principal import Principal
from daas.core.errors import DomainError
from daas.core.money import round_money

T = TypeVar("T")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    current: bool = False


# Each audience's blueprint adds its entries (role -> [(endpoint, label)]) when it is registered.
NAVIGATION: dict[str, list[tuple[str, str]]] = {}


def add_navigation(role: str, *entries: tuple[str, str]) -> None:
    known = NAVIGATION.setdefault(role, [])
    known.extend(entry for entry in entries if entry not in known)


def navigation() -> list[NavItem]:
    """The signed-in role's menu; the entry of the current section is marked."""
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    entries = NAVIGATION.get(current_user.principal.role, [])
    # A section's pages share its endpoint as a prefix: finance.invoices, finance.invoices_show, ...
    return [
        NavItem(name, label, endpoint == name or endpoint.startswith(name + "_")) for name, label in entries
    ]


def principal() -> Principal:
    return current_user.principal


def audience(*roles: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Signed-in people of these roles see the page (admin too, except on customer pages, which need a
    customer); others get 403, people not signed in the sign-in page."""
    allowed = set(roles) if roles == ("customer",) else {*roles, "admin"}

    def decorator(view: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            if current_user.principal.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapper)

    return decorator


@dataclass(frozen=True)
class Pager:
    """A page of a long list: `?page=` of `size` rows, and links that keep the other query arguments."""

    page: int
    size: int
    total: int = 0

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def with_total(self, total: int) -> Pager:
        return Pager(self.page, self.size, total)

    def url(self, page: int) -> str:
        arguments = {**request.args.to_dict(), **(request.view_args or {}), "page": page}
        return url_for(request.endpoint or "auth.home", **arguments)


def pager(size: int = 25) -> Pager:
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
    return Pager(page, size)


class FilterForm(FlaskForm):
    """A GET form of filters (or a search box), read from the query string; no CSRF token, it changes
    nothing. A filter absent from the query string is simply not set: never an error on a page's first
    load; one that is there is checked as usual, and its error shown beside it."""

    class Meta:
        csrf = False

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formdata", request.args)
        super().__init__(**kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        for field in self:
            if field.name not in request.args:
                field.errors = []
        return not self.form_errors and not any(field.errors for field in self)


def carry_out(form: FlaskForm | None, action: Callable[[], T], success: str | Callable[[T], str]) -> T | None:
    """Carry out a page's one use case (which commits, or rolls back when it refuses), then say what
    happened; on a domain error put its messages beside the form's fields (or at the top when no field
    matches). None when it failed."""
    try:
        result = action()
    except DomainError as error:
        show_error(form, error)
        return None
    flash(success(result) if callable(success) else success, "success")
    return result


def show_error(form: FlaskForm | None, error: DomainError) -> None:
    """A domain error's messages beside the form's fields they name, or at the top when none matches."""
    placed = False
    if form is not None:
        for name, messages in (error.errors or {}).items():
            field = getattr(form, str(name), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*list(field.errors), *_messages(messages)]
                placed = True
    if not placed:
        flash(error.message, "error")


def _messages(messages: Any) -> list[str]:
    if isinstance(messages, list | tuple):
        return [str(message) for message in messages]
    if isinstance(messages, dict):
        return [str(message) for values in messages.values() for message in _messages(values)]
    return [str(messages)]


def money(amount: Decimal | None, currency: str) -> str:
    """1234.5 EUR -> "1,234.50 EUR", with the currency's own decimals."""
    if amount is None:
        return ""
    rounded = round_money(Decimal(amount), currency)
    places = max(-rounded.as_tuple().exponent, 0)
    return f"{rounded:,.{places}f} {currency}"


def options(pairs: Any) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs (wtforms 3.4 takes no plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
