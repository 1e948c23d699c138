"""REST: /api/v1/notification-preferences, the signed-in customer user's choice of e-mails.

A customer user's own: every other role is refused (403), since staff events go to the admins and cannot
be chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint
from daas.auth.roles import CUSTOMER
from daas.notifications import preferences
from daas.outbox.event_types import EVENT_TYPES, USER_CHOOSABLE
from daas.schemas.notification_preferences import (
    NotificationPreferencesSchema,
    NotificationPreferencesUpdateSchema,
    attribute_of,
)
from daas.usecases.notification_preferences import set_notification_preferences

blp = Blueprint(
    "notification-preferences",
    __name__,
    url_prefix="/api/v1/notification-preferences",
    description="Which e-mails a customer user gets",
)


def _shown(choices: Mapping[str, bool]) -> dict[str, Any]:
    return {
        "preferences": {
            attribute_of(name): {"email": email, "description": EVENT_TYPES[name].description}
            for name, email in choices.items()
        }
    }


@blp.route("")
class NotificationPreferences(MethodView):
    @access(blp, CUSTOMER)
    @blp.response(200, NotificationPreferencesSchema)
    def get(self) -> Any:
        """Every event type the signed-in user may turn off, and whether it is e-mailed to them.

        A customer user's own: staff, admins included, choose nothing (403)."""
        return _shown(preferences.preferences_of(current_principal().user_id))

    @access(blp, CUSTOMER)
    @blp.arguments(NotificationPreferencesUpdateSchema)
    @blp.response(200, NotificationPreferencesSchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Turn e-mails of the named types on or off (all of them, or none when one cannot be chosen).

        A customer user's own: staff, admins included, choose nothing (403)."""
        given = data["preferences"]
        choices = {
            name: given[attribute_of(name)]["email"] for name in USER_CHOOSABLE if attribute_of(name) in given
        }
        return _shown(set_notification_preferences(current_principal().user_id, choices))
