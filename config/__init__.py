"""Settings per environment, overridden by environment variables.

A settings class holds the defaults of one environment; `load_settings` picks the class named by
`DAAS_ENV` (or the argument) and lays the process environment over it: `DATABASE_URL`, `SECRET_KEY`
and every variable that starts with `DAAS_` or `STRIPE_` replace the setting of the same name, converted
to the type of its default. Nothing else in the code reads `os.environ`.
"""

from __future__ import annotations

import os
from typing import Any

from config.settings import BaseConfig, DevelopmentConfig, ProductionConfig, TestingConfig

ENVIRONMENTS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

_OVERRIDABLE_NAMES = ("DATABASE_URL", "SECRET_KEY")
_OVERRIDABLE_PREFIXES = ("DAAS_", "STRIPE_")


class SettingsError(ValueError):
    """A setting is missing or cannot be read; raised at start-up, never at request time."""


def _convert(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{name} must be a boolean (1/0, true/false), not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc
    return raw


def load_settings(env_name: str | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the settings of one environment as a dict, with the environment variables applied."""
    environ = dict(os.environ if environ is None else environ)
    env_name = env_name or environ.get("DAAS_ENV", "development")
    try:
        cls = ENVIRONMENTS[env_name]
    except KeyError as exc:
        raise SettingsError(f"DAAS_ENV must be one of {sorted(ENVIRONMENTS)}, not {env_name!r}") from exc

    settings = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
    for name, raw in environ.items():
        if name in _OVERRIDABLE_NAMES or name.startswith(_OVERRIDABLE_PREFIXES):
            settings[name] = _convert(name, raw, settings.get(name))
    settings["DAAS_ENV"] = env_name
    if settings.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    if env_name == "production":
        for name in ("SECRET_KEY", "DATABASE_URL"):
            if not settings.get(name):
                raise SettingsError(f"{name} must be set in production")
    return settings
