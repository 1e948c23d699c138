"""Migration 0007 on a database that has users and tokens: sessions get their version, and the tokens the
pickup calendar page issued (full API tokens that sat in feed links) become calendar tokens."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from daas import create_app
from daas.extensions import db


def test_existing_feed_tokens_become_calendar_tokens_and_users_get_a_session_version(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"}, env="testing")
    with app.app_context():
        upgrade(revision="0006_scheduler")
        with db.engine.begin() as connection:
            user = {"email": "ops@example.com", "role": "logistics"}
            connection.execute(
                text("INSERT INTO users (id, email, role, active) VALUES (1, :email, :role, true)"), user
            )
            for n, name in enumerate(("pickup calendar feed", "WMS scanner"), start=1):
                connection.execute(
                    text(
                        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix) "
                        "VALUES (:id, 1, :name, :hash, 'daas_abcdef')"
                    ),
                    {"id": n, "name": name, "hash": f"{n:064d}"},
                )
        upgrade(revision="0007_sessions")
        with db.engine.connect() as connection:
            scopes = dict(connection.execute(text("SELECT name, scope FROM api_tokens")).all())
            versions = connection.execute(text("SELECT session_version FROM users")).scalars().all()
        db.engine.dispose()
    assert scopes == {"pickup calendar feed": "calendar", "WMS scanner": "api"}
    assert versions == [1]
