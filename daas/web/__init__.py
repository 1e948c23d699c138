"""Web pages: sign-in and, per audience, the pages people use instead of the API. They call the same
services as the API; sessions are Flask-Login's, every form carries a CSRF token (Flask-WTF), and every
page is sent with a content security policy that allows no inline script."""

from __future__ import annotations

from flask import Flask, Response

from daas.extensions import csrf, login_manager


def register_web(app: Flask) -> None:
    from daas.web import auth, portal

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    for blueprint in (auth.blp, portal.blp):
        app.register_blueprint(blueprint)

    @app.after_request
    def no_sniffing(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
