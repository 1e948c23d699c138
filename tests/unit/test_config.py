"""Settings: each environment's defaults, overridden by environment variables of the named families."""

from __future__ import annotations

import pytest

from config import SettingsError, load_settings


def test_environment_variables_override_with_the_defaults_type():
    settings = load_settings(
        "development",
        {
            "DATABASE_URL": "postgresql+psycopg://db/daas",
            "DAAS_ISSUER_COUNTRY": "DE",
            "DAAS_DEFAULT_PAYMENT_TERMS_DAYS": "14",
            "STRIPE_API_KEY": "sk_test_x",
            "HOME": "/root",
        },
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/daas"
    assert settings["DAAS_ISSUER_COUNTRY"] == "DE"
    assert settings["DAAS_DEFAULT_PAYMENT_TERMS_DAYS"] == 14
    assert settings["STRIPE_API_KEY"] == "sk_test_x"
    assert "HOME" not in settings


def test_the_environment_is_chosen_by_daas_env():
    assert load_settings(None, {"DAAS_ENV": "testing"})["TESTING"] is True
    with pytest.raises(SettingsError, match="DAAS_ENV"):
        load_settings(None, {"DAAS_ENV": "staging"})


def test_a_setting_of_the_wrong_type_stops_start_up():
    with pytest.raises(SettingsError, match="DAAS_DEFAULT_PAYMENT_TERMS_DAYS"):
        load_settings("development", {"DAAS_DEFAULT_PAYMENT_TERMS_DAYS": "thirty"})


def test_production_needs_a_secret_key_and_a_database():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings("production", {"DATABASE_URL": "postgresql+psycopg://db/daas"})
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings("production", {"SECRET_KEY": "s3cret"})
    settings = load_settings(
        "production", {"SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql+psycopg://db/daas"}
    )
    assert settings["SECRET_KEY"] == "s3cret"


def test_production_names_the_first_issuer_setting_it_lacks_or_cannot_use():
    """Production prints no demo company on invoices: every seller setting comes from the environment, and
    one that is missing or wrong (an IBAN whose check digits fail, a scheme Peppol does not know) stops
    start-up with its name."""
    from daas.settings import Settings
    from tests.helpers import PRODUCTION_ISSUER

    base = {"SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql+psycopg://db/daas"}
    with pytest.raises(SettingsError, match="DAAS_ISSUER_NAME"):
        Settings.from_config(load_settings("production", base))
    settings = Settings.from_config(load_settings("production", {**base, **PRODUCTION_ISSUER}))
    assert (settings.issuer.iban, settings.issuer.registration_id, settings.issuer.peppol_id) == (
        "NL91ABNA0417164300",
        "0106:34110270",
        "",
    )
    for key, value in (
        ("DAAS_ISSUER_IBAN", "NL91ABNA0417164301"),
        ("DAAS_ISSUER_REGISTRATION_ID", "34110270"),
        ("DAAS_ISSUER_PEPPOL_ID", "1234:34110270"),
        ("DAAS_ISSUER_BIC", " "),
    ):
        with pytest.raises(SettingsError, match=key):
            Settings.from_config(load_settings("production", {**base, **PRODUCTION_ISSUER, key: value}))


def test_the_end_of_term_policy_is_read_from_the_environment_and_a_bad_value_names_its_key():
    from decimal import Decimal

    from daas.settings import Settings
    from tests.helpers import PRODUCTION_ISSUER

    base = {"SECRET_KEY": "s3cret", "DATABASE_URL": "postgresql+psycopg://db/daas", **PRODUCTION_ISSUER}
    policy = Settings.from_config(load_settings("production", base)).end_of_term
    assert (policy.early_termination_share, policy.buy_out_countries) == (Decimal("0.5"), frozenset())
    assert policy.fees_for("EUR", "laptop") == {"C": Decimal("90.00"), "D": Decimal("250.00")}
    assert policy.grade_factors["C"] == Decimal("0.6")
    changed = {**base, "DAAS_EARLY_TERMINATION_SHARE": "0.25", "DAAS_BUYOUT_COUNTRIES": "be, DE"}
    policy = Settings.from_config(load_settings("production", changed)).end_of_term
    assert (policy.early_termination_share, policy.buy_out_countries) == (Decimal("0.25"), {"BE", "DE"})
    for key, value in (
        ("DAAS_EARLY_TERMINATION_SHARE", "2"),
        ("DAAS_BUYOUT_COUNTRIES", "BE, XX"),
        ("DAAS_BUYOUT_GRADE_FACTORS", "A=1"),
        ("DAAS_DAMAGE_FEES", "EUR:laptop:C=ninety"),
    ):
        with pytest.raises(SettingsError, match=key):
            Settings.from_config(load_settings("production", {**base, key: value}))
