"""The webhook pages the portal (a customer's endpoints) and admin (the provider's own) share: the list
with the form to add one, an endpoint's page with its deliveries, and the actions on it (edit, disable or
enable, rotate the secret, delete, replay a delivery).

`WebhookPages(area, customer_id)` does the work for one audience; the audience's module registers thin
views that call it. A signing secret is rendered in the answer that made it (creation, rotation), never
kept in the session or a redirect, and that answer is sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from daas.notifications import webhook_deliveries as deliveries
from daas.notifications import webhook_endpoints as endpoints
from daas.notifications.models import DISABLED, ENABLED, WebhookEndpoint
from daas.notifications.safe_http import MAX_URL_LENGTH
from daas.outbox.event_types import CUSTOMER_VISIBLE, EVENT_NAMES, EVENT_TYPES
from daas.settings import current_settings
from daas.usecases import notifications as notification_use_cases
from daas.usecases import webhooks as use_cases
from daas.web.pages import carry_out, options, pager, principal


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookEndpointForm(FlaskForm):
    url = StringField(
        "URL",
        validators=[DataRequired("Give the URL daas posts the events to."), Length(max=MAX_URL_LENGTH)],
    )
    events = MultiCheckboxField("Events", validators=[DataRequired("Choose at least one event type.")])
    description = StringField(
        "Description", validators=[Optional(), Length(max=endpoints.MAX_DESCRIPTION_LENGTH)]
    )

    def values(self) -> dict[str, Any]:
        return {
            "url": self.url.data.strip(),
            "events": list(self.events.data or []),
            "description": (self.description.data or "").strip() or None,
        }


class ConfirmForm(FlaskForm):
    """A button's form: only its CSRF token."""


def event_choices(for_customer: bool) -> list[tuple[str, str]]:
    names = CUSTOMER_VISIBLE if for_customer else EVENT_NAMES
    return [
        (endpoints.ALL, "Every event (also types added later)"),
        *((name, f"{name}: {EVENT_TYPES[name].description}") for name in names),
    ]


def _no_store(body: str) -> Response:
    response = current_app.make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


class WebhookPages:
    """The pages of one audience: `area` is its blueprint (portal, admin), `customer_id` whose endpoints
    they show (None: the provider's own)."""

    def __init__(self, area: str, customer_id: int | None) -> None:
        self.area = area
        self.customer_id = customer_id

    @property
    def scope(self) -> int | None:
        return self.customer_id

    def url(self, name: str, **values: Any) -> str:
        return url_for(f"{self.area}.{name}", **values)

    def endpoint(self, endpoint_id: int) -> WebhookEndpoint:
        """The endpoint, if it is this audience's (another customer's, or on admin's pages a customer's,
        is not found)."""
        found = endpoints.get_endpoint(endpoint_id, self.scope)
        if found.customer_id != self.customer_id:
            abort(404)
        return found

    def form(self, **kwargs: Any) -> WebhookEndpointForm:
        form = WebhookEndpointForm(**kwargs)
        form.events.choices = options(event_choices(self.customer_id is not None))
        return form

    # -- the list -------------------------------------------------------------------------------------

    def list_page(self, form: WebhookEndpointForm | None = None) -> Any:
        page = pager(25)
        rows, total = endpoints.list_endpoints(
            self.scope, provider=self.customer_id is None, offset=page.offset, limit=page.size
        )
        html = render_template(
            f"{self.area}/webhooks.html",
            area=self.area,
            endpoints=rows,
            form=form or self.form(formdata=None),
            pager=page.with_total(total),
        )
        return html, 422 if form is not None and request.method == "POST" else 200

    def create(self) -> Any:
        form = self.form()
        if form.validate_on_submit():
            created = carry_out(
                form,
                lambda: use_cases.create_webhook_endpoint(
                    None, form.values(), current_settings().notifications.webhooks, self.scope
                ),
                "The endpoint is added. Copy its signing secret now: it is not shown again.",
            )
            if created is not None:
                endpoint, secret = created
                return _no_store(self._show(endpoint, secret=secret))
        return self.list_page(form)

    # -- one endpoint ---------------------------------------------------------------------------------

    def _show(
        self,
        endpoint: WebhookEndpoint,
        form: WebhookEndpointForm | None = None,
        secret: str | None = None,
        confirm_delete: bool = False,
    ) -> str:
        page = pager(20)
        rows, total = deliveries.list_deliveries(endpoint.id, self.scope, page.offset, page.size)
        if form is None:
            form = self.form(
                formdata=None,
                data={
                    "url": endpoint.url,
                    "events": endpoint.event_types,
                    "description": endpoint.description or "",
                },
            )
        return render_template(
            f"{self.area}/webhook.html",
            area=self.area,
            endpoint=endpoint,
            form=form,
            secret=secret,
            confirm_delete=confirm_delete,
            deliveries=rows,
            pager=page.with_total(total),
            enabled=endpoint.status == ENABLED,
        )

    def show(self, endpoint_id: int, confirm_delete: bool = False) -> Any:
        return self._show(self.endpoint(endpoint_id), confirm_delete=confirm_delete)

    def edit(self, endpoint_id: int) -> Any:
        endpoint = self.endpoint(endpoint_id)
        form = self.form()
        if form.validate_on_submit():
            changed = carry_out(
                form,
                lambda: use_cases.update_webhook_endpoint(
                    endpoint.id,
                    form.values(),
                    current_settings().notifications.webhooks,
                    principal().actor,
                    customer_scope=self.scope,
                ),
                "The endpoint is saved.",
            )
            if changed is not None:
                return redirect(self.url("webhooks_show", endpoint_id=endpoint.id))
        return self._show(self.endpoint(endpoint_id), form=form), 422

    def set_status(self, endpoint_id: int, status: str) -> Response:
        endpoint = self.endpoint(endpoint_id)
        if status not in (ENABLED, DISABLED):
            abort(400)
        if ConfirmForm().validate_on_submit():
            carry_out(
                None,
                lambda: use_cases.update_webhook_endpoint(
                    endpoint.id,
                    {"status": status},
                    current_settings().notifications.webhooks,
                    principal().actor,
                    customer_scope=self.scope,
                ),
                "The endpoint is enabled: new events are delivered again."
                if status == ENABLED
                else "The endpoint is disabled: nothing more is delivered to it.",
            )
        return redirect(self.url("webhooks_show", endpoint_id=endpoint.id))

    def rotate(self, endpoint_id: int) -> Any:
        endpoint = self.endpoint(endpoint_id)
        if not ConfirmForm().validate_on_submit():
            return redirect(self.url("webhooks_show", endpoint_id=endpoint.id))
        rotated = carry_out(
            None,
            lambda: use_cases.rotate_webhook_secret(endpoint.id, self.scope),
            "A new signing secret is in force. Copy it now: it is not shown again.",
        )
        if rotated is None:
            return redirect(self.url("webhooks_show", endpoint_id=endpoint.id))
        return _no_store(self._show(rotated[0], secret=rotated[1]))

    def delete(self, endpoint_id: int) -> Response:
        endpoint = self.endpoint(endpoint_id)

        def deleted() -> bool:
            use_cases.delete_webhook_endpoint(endpoint.id, self.scope)
            return True

        if ConfirmForm().validate_on_submit() and carry_out(
            None, deleted, f"The endpoint {endpoint.url} is deleted, with its deliveries."
        ):
            return redirect(self.url("webhooks"))
        return redirect(self.url("webhooks_show", endpoint_id=endpoint.id))

    def replay(self, delivery_id: int) -> Response:
        found = deliveries.get_delivery(delivery_id, self.scope)
        endpoint = self.endpoint(found.endpoint_id)
        if ConfirmForm().validate_on_submit():
            carry_out(
                None,
                lambda: notification_use_cases.replay_webhook_delivery(found.id, self.scope),
                "The delivery is sent again at the next delivery round, with the same event id.",
            )
        return redirect(self.url("webhooks_show", endpoint_id=endpoint.id))
