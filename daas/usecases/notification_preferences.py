"""A customer user's choice of e-mails (daas.notifications.preferences): set from the API and the portal's
Notifications page, one transaction. Reading them needs no use case (`preferences.preferences_of`)."""

from __future__ import annotations

from daas.notifications import preferences
from daas.usecases.transaction import use_case

set_notification_preferences = use_case(preferences.set_preferences)
