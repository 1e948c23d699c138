"""daas: Device-as-a-Service. `create_app` builds the Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None, env: str | None = None) -> Flask:
    """Build the app: settings, extensions, API blueprints, pages, commands and error handlers.

    `config` entries win over the environment's settings (tests pass their database here).
    Scheduled jobs are never started here: the scheduler is its own process (`flask daas scheduler`).
    """
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_relative_config=True)
    app.config.update(load_settings(env))
    app.config.update(config or {})
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'daas.sqlite3'}"

    from daas import db as _db_types  # noqa: F401 - SQLite connection settings
    from daas import models as _models  # noqa: F401 - the whole schema in the metadata
    from daas.api.base import api, refuse_unstorable_input
    from daas.api.converters import IdConverter
    from daas.api.errors import register_error_handlers
    from daas.auth.log_filter import mask_tokens_in_access_logs
    from daas.extensions import db, migrate
    from daas.settings import install_settings

    install_settings(app)  # checked once, here: a bad setting stops the start, naming its key
    app.url_map.converters["id"] = IdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    api.init_app(app)
    register_error_handlers(app)
    mask_tokens_in_access_logs()  # calendar feed links carry a token in their query string
    app.before_request(refuse_unstorable_input)

    _register_api(app)
    _register_pages(app)
    _register_commands(app)
    if app.config["DAAS_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["DAAS_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _register_api(app: Flask) -> None:
    from daas.api import docs
    from daas.api.base import api
    from daas.api.views.accounting import blp as accounting_blp
    from daas.api.views.auth import blp as auth_blp
    from daas.api.views.billing import invoices_blp, runs_blp
    from daas.api.views.catalog import blp as catalog_blp
    from daas.api.views.charges import blp as charges_blp
    from daas.api.views.contracts import blp as contracts_blp
    from daas.api.views.customers import blp as customers_blp
    from daas.api.views.devices import blp as devices_blp
    from daas.api.views.end_of_term import blp as end_of_term_blp
    from daas.api.views.impact import blp as impact_blp
    from daas.api.views.logistics import blp as logistics_blp
    from daas.api.views.notification_preferences import blp as notification_preferences_blp
    from daas.api.views.orders import blp as orders_blp
    from daas.api.views.outbox import blp as outbox_blp
    from daas.api.views.payments import blp as payments_blp
    from daas.api.views.people import blp as people_blp
    from daas.api.views.pricing import metrics_blp, plans_blp
    from daas.api.views.scenarios import blp as scenarios_blp
    from daas.api.views.scheduler import blp as scheduler_blp
    from daas.api.views.shipments import blp as shipments_blp
    from daas.api.views.usage import blp as usage_blp
    from daas.api.views.webhooks import blp as webhooks_blp
    from daas.api.views.workshop import blp as workshop_blp
    from daas.extensions import csrf

    for blueprint in (
        auth_blp,
        customers_blp,
        catalog_blp,
        metrics_blp,
        plans_blp,
        contracts_blp,
        end_of_term_blp,
        devices_blp,
        usage_blp,
        runs_blp,
        invoices_blp,
        charges_blp,
        impact_blp,
        payments_blp,
        accounting_blp,
        logistics_blp,
        scheduler_blp,
        scenarios_blp,
        people_blp,
        orders_blp,
        shipments_blp,
        outbox_blp,
        webhooks_blp,
        notification_preferences_blp,
        workshop_blp,
    ):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # bearer tokens, not cookies: nothing for a forged form to ride on
    app.register_blueprint(docs.blp)


def _register_pages(app: Flask) -> None:
    from daas.web import register_web

    register_web(app)


def _register_commands(app: Flask) -> None:
    from daas.cli import daas_group
    from daas.jobs.command import scheduler_command

    daas_group.add_command(scheduler_command)
    app.cli.add_command(daas_group)
