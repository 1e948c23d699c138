"""Web pages: sign-in and, per audience, the pages people use instead of the API (customer portal,
finance, logistics, admin). They call the same services as the API; sessions are Flask-Login's, every
form carries a CSRF token (Flask-WTF), sign-in attempts are rate-limited (Flask-Limiter), and every page is
sent with a content security policy that allows no inline script."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from daas.extensions import csrf, limiter, login_manager

log = logging.getLogger(__name__)


def register_web(app: Flask) -> None:
    from daas.web import admin, auth, finance, logistics, portal
    from daas.web.pages import add_navigation, money, navigation
    from daas.web.security import secure_page, strict_transport_security

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["DAAS_RATELIMIT_STORAGE_URI"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    if app.config["DAAS_ENV"] == "production" and app.config["RATELIMIT_STORAGE_URI"].startswith("memory:"):
        log.warning(
            "DAAS_RATELIMIT_STORAGE_URI is memory://: each worker process counts sign-in attempts per "
            "address on its own, so the limit multiplies with the workers and servers. Point it at one "
            "shared store (redis://host:6379). Failed sign-ins per account are counted in the database."
        )
    for blueprint in (auth.blp, portal.blp, finance.blp, logistics.blp, admin.blp):
        app.register_blueprint(blueprint)
    add_navigation("admin", ("finance.home", "Finance"), ("logistics.home", "Logistics"))  # admin may do both
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.filters["money"] = money

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        strict_transport_security(response)  # the API's answers too
        if not request.path.startswith("/api/"):
            secure_page(response)  # error pages and static files too
        return response
