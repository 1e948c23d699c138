"""Users' choices of e-mails: a user who turned a type off gets none of it while the others still do;
money e-mails go to the billing e-mail, whatever the users chose; through the API and the portal page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from daas.core.errors import Forbidden, Invalid
from daas.notifications.models import NotificationPreference
from daas.notifications.preferences import preferences_of
from daas.outbox.event_types import EVENT_TYPES, USER_CHOOSABLE
from daas.outbox.services import record_event
from daas.usecases.notification_preferences import set_notification_preferences
from daas.usecases.notifications import deliver_notifications
from tests import factories
from tests.helpers import assert_error, bearer
from tests.notifications.conftest import sending_to
from tests.notifications.test_email_per_event import CASES
from tests.notifications.worlds import account
from tests.web.helpers import post_form, signed_in


def _record(event_type: str, customer_id: int) -> None:
    record_event(event_type, key=f"test:{event_type}", customer_id=customer_id, data=CASES[event_type][1])


def test_a_user_who_turned_a_type_off_gets_none_and_the_others_still_do(app, database, smtp_server):
    customer = account("nl")
    quiet, other = customer.users
    set_notification_preferences(quiet.id, {"delivery.shipped": False})
    _record("delivery.shipped", customer.id)
    _record("delivery.delivered", customer.id)  # not turned off: both hear of it
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    assert [message["Subject"] for message in smtp_server.to(quiet.email)] == [
        "Uw bestelling #15 is geleverd"
    ]
    assert sorted(message["Subject"] for message in smtp_server.to(other.email)) == [
        "Uw bestelling #15 is geleverd",
        "Uw bestelling #15 is verzonden",
    ]


def test_money_e_mails_go_to_the_billing_e_mail_whatever_the_users_chose(app, database, smtp_server):
    customer = account("de")
    for user in customer.users:
        set_notification_preferences(user.id, dict.fromkeys(USER_CHOOSABLE, False))
    _record("invoice.overdue", customer.id)
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    assert [message["To"] for message in smtp_server.messages] == [customer.customer.billing_email]


def test_a_type_turned_back_on_is_e_mailed_again(app, database, smtp_server):
    customer = account("fr")
    user = customer.users[0]
    set_notification_preferences(user.id, {"contract.ending": False})
    set_notification_preferences(user.id, {"contract.ending": True})
    _record("contract.ending", customer.id)
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    assert len(smtp_server.to(user.email)) == 1
    assert database.session.scalars(select(NotificationPreference.email)).all() == [True]


def test_choices_refuse_types_that_cannot_be_chosen_and_change_nothing(database):
    user = account("en").users[0]
    database.session.commit()  # a savepoint: the refused use case rolls back its own work only
    with pytest.raises(Invalid) as refused:
        set_notification_preferences(
            user.id,
            {"refresh.proposed": False, "invoice.issued": False, "no.such": False, "job.failed": False},
        )
    assert set(refused.value.errors["preferences"]) == {"invoice.issued", "no.such", "job.failed"}
    assert "billing e-mail" in refused.value.errors["preferences"]["invoice.issued"][0]
    assert "Unknown notification type 'no.such'" in refused.value.errors["preferences"]["no.such"][0]
    assert preferences_of(user.id) == dict.fromkeys(USER_CHOOSABLE, True)


def test_staff_have_no_choices(database):
    staff = factories.user("finance")
    with pytest.raises(Forbidden):
        preferences_of(staff.id)
    with pytest.raises(Forbidden):
        set_notification_preferences(staff.id, {"delivery.shipped": False})


# -- API --------------------------------------------------------------------------------------------------

URL = "/api/v1/notification-preferences"


def _token(user) -> str:
    from daas.auth.services import create_token

    return create_token(user.id, "tests")[1]


def test_the_api_shows_and_sets_the_signed_in_user_s_choices(client, database):
    user, other = account("nl").users
    token = _token(user)

    shown = client.get(URL, headers=bearer(token))
    assert shown.status_code == 200
    assert shown.get_json()["preferences"] == {
        name: {"email": True, "description": EVENT_TYPES[name].description} for name in USER_CHOOSABLE
    }

    body = {"preferences": {"delivery.shipped": {"email": False}, "pickup.booked": {"email": False}}}
    changed = client.put(URL, json=body, headers=bearer(token))
    assert changed.status_code == 200
    choices = {name: choice["email"] for name, choice in changed.get_json()["preferences"].items()}
    assert choices == {
        **dict.fromkeys(USER_CHOOSABLE, True),
        "delivery.shipped": False,
        "pickup.booked": False,
    }
    assert client.get(URL, headers=bearer(token)).get_json() == changed.get_json()
    assert preferences_of(other.id) == dict.fromkeys(USER_CHOOSABLE, True)  # one user's choice is theirs


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"preferences": {"invoice.issued": {"email": False}}}, "invoice.issued"),
        ({"preferences": {"nonsense": {"email": False}}}, "nonsense"),
        ({"preferences": {"delivery.shipped": {"email": "no"}}}, "delivery.shipped"),
        ({"preferences": {"delivery.shipped": {}}}, "delivery.shipped"),
        ({"preferences": {"delivery.shipped": {"email": False, "sms": True}}}, "delivery.shipped"),
        ({}, "preferences"),
    ],
)
def test_the_api_refuses_what_cannot_be_chosen_naming_it(client, database, body, field):
    user = account("en").users[0]
    token = _token(user)
    error = assert_error(client.put(URL, json=body, headers=bearer(token)), 422)
    assert field in str(error["errors"]), error
    assert preferences_of(user.id) == dict.fromkeys(USER_CHOOSABLE, True)


def test_the_api_is_a_customer_user_s(client, database, tokens):
    for role in ("admin", "finance", "logistics"):
        assert client.get(URL, headers=bearer(tokens[role])).status_code == 403
        body = {"preferences": {"delivery.shipped": {"email": False}}}
        assert client.put(URL, json=body, headers=bearer(tokens[role])).status_code == 403
    assert client.get(URL).status_code == 401


# -- the portal's page ------------------------------------------------------------------------------------

PAGE = "/portal/notifications"


def _checked(page: str) -> set[str]:
    return set(
        re.findall(r'<input checked id="email-\d+" name="email" type="checkbox" value="([^"]+)">', page)
    )


def test_the_page_shows_a_checkbox_per_type_and_saves_the_choice(app, database):
    customer = account("de")
    client, user = signed_in(app, "customer", customer.id)

    page = client.get(PAGE).get_data(as_text=True)
    assert _checked(page) == set(USER_CHOOSABLE)
    for name in USER_CHOOSABLE:
        assert EVENT_TYPES[name].description in page
    assert customer.customer.billing_email in page
    assert 'aria-current="page">Notifications<' in page

    keep = [name for name in USER_CHOOSABLE if name not in ("charge.pending", "refresh.approved")]
    saved = post_form(client, PAGE, {"email": keep}, follow_redirects=True)
    assert saved.status_code == 200
    assert "Your e-mail choices are saved." in saved.get_data(as_text=True)
    assert _checked(saved.get_data(as_text=True)) == set(keep)
    assert preferences_of(user.id) == {name: name in keep for name in USER_CHOOSABLE}


def test_the_page_refuses_a_type_that_is_not_offered(app, database):
    customer = account("fr")
    client, user = signed_in(app, "customer", customer.id)

    refused = post_form(client, PAGE, {"email": ["delivery.shipped", "invoice.issued"]})

    assert refused.status_code == 422
    assert (
        '<a href="#email-0">E-mail me when: &#39;invoice.issued&#39; is not a valid choice'
        in refused.get_data(as_text=True)
    )
    assert preferences_of(user.id) == dict.fromkeys(USER_CHOOSABLE, True)


def test_staff_may_not_open_the_page(app, database):
    client, _ = signed_in(app, "admin")
    assert client.get(PAGE).status_code == 403
