"""Settings come from the environment and refuse unsafe production values."""

from __future__ import annotations

import pytest

from carbon_credit.platform.settings import DEFAULT_DAILY_CAPS, ConfigError, Settings

STRONG = "x" * 40


def test_defaults_are_the_embedded_sqlite_database_and_hubei_points_rule():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "instance/carbon.db"
    )
    assert (settings.points_per_gram_num, settings.points_per_gram_den) == (1, 1)
    assert settings.daily_caps == DEFAULT_DAILY_CAPS


def test_production_refuses_development_or_short_secrets():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"APP_ENV": "production", "QR_SIGNING_KEY": STRONG})
    with pytest.raises(ConfigError, match="QR_SIGNING_KEY"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": STRONG, "QR_SIGNING_KEY": "short"})
    ok = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": STRONG, "QR_SIGNING_KEY": STRONG + "y"})
    assert ok.env == "production"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CAP_WALKING": "-1"}, "CAP_WALKING"),
        ({"CAP_TRANSIT": "many"}, "CAP_TRANSIT"),
        ({"POINTS_PER_GRAM_DEN": "0"}, "POINTS_PER_GRAM_DEN"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
    ],
)
def test_malformed_values_are_refused_with_the_variable_named(environ, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ)


def test_caps_and_points_rule_can_be_overridden():
    settings = Settings.from_env({"CAP_WALKING": "500", "POINTS_PER_GRAM_DEN": "10"})
    assert settings.daily_caps["walking"] == 500 and settings.points_per_gram_den == 10


def test_postgres_urls_use_psycopg3():
    from carbon_credit.platform.database import normalise_url

    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_points_expiry_is_off_by_default_and_read_from_the_environment():
    assert Settings.from_env({}).points_expiry_days == 0
    assert Settings.from_env({"POINTS_EXPIRY_DAYS": "365"}).points_expiry_days == 365
    for bad in ("-1", "a year"):
        with pytest.raises(ConfigError, match="POINTS_EXPIRY_DAYS"):
            Settings.from_env({"POINTS_EXPIRY_DAYS": bad})
    with pytest.raises(ConfigError, match="POINTS_EXPIRY_DAYS"):
        Settings().with_overrides(points_expiry_days=-30)
