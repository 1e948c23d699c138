"""A customer user's choice of e-mails: for each event type a user may turn off (`USER_CHOOSABLE`: what
happens to devices, orders, subscriptions and webhook endpoints), on or off. No row means on, so a new
user hears of everything until they choose. Money events always go to the billing e-mail and staff events
to the provider's admins: neither can be chosen here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select

from daas.auth.models import User
from daas.core.errors import Forbidden, Invalid, NotFound
from daas.extensions import db
from daas.notifications.models import NotificationPreference
from daas.outbox.event_types import EVENT_TYPES, MONEY, USER_CHOOSABLE


def _customer_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    if user.customer_id is None:
        raise Forbidden("Customer users choose their e-mails; staff hear of staff events and cannot choose.")
    return user


def _rows(user_id: int) -> dict[str, NotificationPreference]:
    query = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    return {row.event_type: row for row in db.session.scalars(query)}


def preferences_of(user_id: int) -> dict[str, bool]:
    """Every type the user may choose, in the order of `EVENT_TYPES`, with whether it is e-mailed."""
    _customer_user(user_id)
    rows = _rows(user_id)
    return {name: rows[name].email if name in rows else True for name in USER_CHOOSABLE}


def choice_problem(event_type: str) -> str | None:
    """Why a user cannot choose e-mails of `event_type` (unknown, money, staff); None when they can."""
    if event_type not in EVENT_TYPES:
        return f"Unknown notification type {event_type!r}: one of {', '.join(USER_CHOOSABLE)}."
    if event_type in USER_CHOOSABLE:
        return None
    if EVENT_TYPES[event_type].audience == MONEY:
        return f"{event_type} always goes to the customer's billing e-mail; it cannot be turned off."
    return f"{event_type} goes to the provider's staff; it is not a customer user's to choose."


def set_preferences(user_id: int, choices: Mapping[str, bool]) -> dict[str, bool]:
    """Turn the named types on or off for the user (the others keep their choice); all of them or, when
    one names a type that cannot be chosen, none (Invalid naming each such type). The user's choices."""
    _customer_user(user_id)
    problems = {name: [problem] for name in choices if (problem := choice_problem(name)) is not None}
    if problems:
        first = next(iter(problems.values()))[0]
        raise Invalid(first, errors={"preferences": problems})
    rows = _rows(user_id)
    for name, email in choices.items():
        if name in rows:
            rows[name].email = bool(email)
        else:
            db.session.add(NotificationPreference(user_id=user_id, event_type=name, email=bool(email)))
    db.session.flush()
    return preferences_of(user_id)


def users_turned_off(user_ids: Collection[int], event_type: str) -> set[int]:
    """Which of the users turned e-mails of `event_type` off."""
    if not user_ids:
        return set()
    query = select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(list(user_ids)),
        NotificationPreference.event_type == event_type,
        NotificationPreference.email.is_(False),
    )
    return set(db.session.scalars(query))
