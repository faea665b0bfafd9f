"""One settings object, read from the environment, shared by the web app, the bot and the scheduler."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'carbon.db'}"
DEV_SECRET = "dev-secret-not-for-production"  # noqa: S105 - refused outside development

# Daily caps in points per resident, behaviour and Beijing calendar day (1 point = 1 g CO2e by default).
# Where a default comes from is documented in docs/rules.md; each can be overridden by CAP_<BEHAVIOUR>.
DEFAULT_DAILY_CAPS = {
    "walking": 296,  # Ant Forest's walking cap, 296 g/day (methodologies.md §5)
    "transit": 2_000,  # platform policy: four long commutes (2 x 20 km metro round trips ≈ 1,868 g)
    "recycling": 20_000,  # platform policy: ≈ 5 kg of mixed paper or 2 kg of aluminium cans a day
    "tree_planting": 37_000,  # platform policy: ten surviving trees' yearly uptake (10 x 3.7 kg)
    "forest_growth": 0,  # 0 = no cap: administrator tool, not a resident behaviour
    "afforestation": 0,
    "electricity": 30_000,  # platform policy: ≈ 70 kWh a day at the Hubei 2023 factor
}


# Transit check-in rules (docs/rules.md says where each default comes from); env TRANSIT_<NAME upper-cased>.
DEFAULT_MAX_SPEED_KMH = {"bus": 60, "metro": 100}

# Whole-number settings read from the environment: field name -> variable.
INT_SETTINGS = {
    "max_upload_bytes": "MAX_UPLOAD_BYTES",
    "tap_in_expiry_minutes": "TRANSIT_TAP_IN_EXPIRY_MINUTES",
    "min_trip_metres": "TRANSIT_MIN_TRIP_METRES",
    "stop_cooldown_minutes": "TRANSIT_STOP_COOLDOWN_MINUTES",
    "daily_trip_cap": "TRANSIT_DAILY_TRIP_CAP",
    "detour_factor_percent": "TRANSIT_DETOUR_FACTOR_PERCENT",
    "review_recycling_kg": "REVIEW_RECYCLING_KG",
    "review_trees": "REVIEW_TREES",
    "chat_messages_per_minute": "CHAT_MESSAGES_PER_MINUTE",
    "sqlite_busy_timeout_s": "SQLITE_BUSY_TIMEOUT_S",
    "login_backoff_after": "LOGIN_BACKOFF_AFTER",
    "login_backoff_seconds": "LOGIN_BACKOFF_SECONDS",
    "card_proof_days": "TRANSIT_CARD_PROOF_DAYS",
    "photo_retention_days": "PHOTO_RETENTION_DAYS",
    "chat_retention_days": "CHAT_RETENTION_DAYS",
    "operator_rows_retention_days": "OPERATOR_ROWS_RETENTION_DAYS",
    "inactive_account_years": "INACTIVE_ACCOUNT_YEARS",
    "inactive_notice_days": "INACTIVE_NOTICE_DAYS",
    "registry_review_days": "REGISTRY_REVIEW_DAYS",
    "registry_points_per_yuan": "REGISTRY_POINTS_PER_YUAN",
}

# Retention periods (docs/privacy.md): each must be positive.
RETENTION_SETTINGS = (
    "photo_retention_days",
    "chat_retention_days",
    "operator_rows_retention_days",
    "inactive_account_years",
    "inactive_notice_days",
)


class ConfigError(RuntimeError):
    """The environment asks for something the platform refuses to run with."""


@dataclass(frozen=True)
class Settings:
    """Validated configuration. Build it with :meth:`from_env`; tests use :meth:`with_overrides`."""

    env: str = "development"
    database_url: str = DEFAULT_SQLITE_URL
    secret_key: str = DEV_SECRET
    qr_signing_key: str = DEV_SECRET
    redis_url: str | None = None
    # SQLite only: how long a write waits for another writer's lock before the request fails with 503.
    # Writes hold the lock for milliseconds (an import batch ~0.2 s); waiting longer only ties up every
    # worker thread. Keep it well under gunicorn's timeout and the proxy's.
    sqlite_busy_timeout_s: int = 5
    # How many reverse proxies (load balancer, nginx) sit in front of the web process and set
    # X-Forwarded-For/-Proto/-Host; 0 = none, the client address is the peer's.
    trusted_proxies: int = 0
    telegram_bot_token: str | None = None
    # Hubei practice (碳碳星球, 2021): 1 point = 1 g CO2e. Points = grams * numerator // denominator.
    points_per_gram_num: int = 1
    points_per_gram_den: int = 1
    daily_caps: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DAILY_CAPS))
    password_hash_method: str = "scrypt"
    # Where links that leave the app (posters, QR codes, bot messages) point; "" = not set: the web uses the
    # host of the request that asked for them, the bot sends no web link (link_base below).
    public_base_url: str = ""
    upload_folder: str = str(PROJECT_ROOT / "instance" / "uploads")
    max_upload_bytes: int = 5 * 1024 * 1024
    login_rate_limit: str = "10 per minute; 50 per hour"
    checkin_rate_limit: str = "30 per minute"
    # Per-account login back-off (carbon_credit/residents/attempts.py): after this many failures for one
    # login, each further failure locks it for this many seconds, doubling each time (at most an hour).
    login_backoff_after: int = 5
    login_backoff_seconds: int = 60
    # A transit card is claimed by naming one of its trips from an operator file of the last this many days.
    card_proof_days: int = 30
    # Transit: a tap-in waits this long for its tap-out; shorter trips are not credited; a stop cannot start
    # another trip for the same resident within the cooldown; at most this many credited trips a day.
    tap_in_expiry_minutes: int = 180
    min_trip_metres: int = 500
    stop_cooldown_minutes: int = 10
    daily_trip_cap: int = 6
    detour_factor_percent: int = 130  # great-circle distance x 1.3 when no route distance is known
    max_speed_kmh: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_SPEED_KMH))
    # Review: entries above these amounts, or with a photo, wait for an administrator.
    review_recycling_kg: int = 20
    review_trees: int = 10
    # Chat (bot and web chat page): messages per person per minute; Telegram deep links and webhook.
    chat_messages_per_minute: int = 20
    telegram_bot_username: str | None = None
    telegram_webhook_url: str | None = None  # public HTTPS URL: webhook mode instead of polling
    telegram_webhook_secret: str | None = None  # checked against X-Telegram-Bot-Api-Secret-Token
    # How far back an activity may be dated when it is recorded, in days (docs/rules.md).
    # Evidence channels (operator imports); a resident's own claims: the policy table (docs/rules.md).
    claim_window_days: dict[str, int] = field(default_factory=lambda: {"default": 7})
    # Points expiry: unspent points older than this many days expire (the daily job); 0 = never.
    points_expiry_days: int = 0
    # Retention (carbon_credit/privacy/retention.py, the daily job; docs/privacy.md): days photo evidence is
    # kept after its review, chat transcripts after the last message, raw operator trip rows after the trip.
    photo_retention_days: int = 180
    chat_retention_days: int = 30
    operator_rows_retention_days: int = 365
    # Inactive accounts (carbon_credit/privacy/inactivity.py, in the same job): a resident unused for this
    # many years is told this many days ahead, then pseudonymised unless they sign in again.
    inactive_account_years: int = 3
    inactive_notice_days: int = 30
    # Registry (docs/registry.md): a period is pooled only when its review window has closed, this many days
    # after its last day, so entries still under review or open to a clawback are not counted.
    registry_review_days: int = 14
    # Registry sale revenue moved into a campaign's rewards budget: points per yuan (platform policy).
    registry_points_per_yuan: int = 100

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read settings from ``environ`` (default ``os.environ``) and validate them."""
        env = os.environ if environ is None else environ
        caps = dict(DEFAULT_DAILY_CAPS)
        for behaviour in caps:
            raw = env.get(f"CAP_{behaviour.upper()}")
            if raw is not None:
                caps[behaviour] = _non_negative_int(f"CAP_{behaviour.upper()}", raw)
        settings = cls(
            env=env.get("APP_ENV", "development"),
            database_url=env.get("DATABASE_URL") or DEFAULT_SQLITE_URL,
            secret_key=env.get("SECRET_KEY") or DEV_SECRET,
            qr_signing_key=env.get("QR_SIGNING_KEY") or DEV_SECRET,
            redis_url=env.get("REDIS_URL") or None,
            trusted_proxies=_non_negative_int("TRUSTED_PROXIES", env.get("TRUSTED_PROXIES", "0")),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_bot_username=env.get("TELEGRAM_BOT_USERNAME") or None,
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            points_per_gram_num=_positive_int("POINTS_PER_GRAM_NUM", env.get("POINTS_PER_GRAM_NUM", "1")),
            points_per_gram_den=_positive_int("POINTS_PER_GRAM_DEN", env.get("POINTS_PER_GRAM_DEN", "1")),
            daily_caps=caps,
            password_hash_method=env.get("PASSWORD_HASH_METHOD", "scrypt"),
            public_base_url=(env.get("PUBLIC_BASE_URL") or "").strip().rstrip("/"),
            upload_folder=env.get("UPLOAD_FOLDER") or cls.upload_folder,
            login_rate_limit=env.get("LOGIN_RATE_LIMIT") or cls.login_rate_limit,
            checkin_rate_limit=env.get("CHECKIN_RATE_LIMIT") or cls.checkin_rate_limit,
            max_speed_kmh={
                mode: _positive_int(
                    f"TRANSIT_MAX_SPEED_{mode.upper()}_KMH",
                    env.get(f"TRANSIT_MAX_SPEED_{mode.upper()}_KMH", str(kmh)),
                )
                for mode, kmh in DEFAULT_MAX_SPEED_KMH.items()
            },
            points_expiry_days=_non_negative_int("POINTS_EXPIRY_DAYS", env.get("POINTS_EXPIRY_DAYS") or "0"),
            **{name: _positive_int(var, env[var]) for name, var in INT_SETTINGS.items() if env.get(var)},
        )
        settings.validate()
        return settings

    def with_overrides(self, **changes) -> Settings:
        """A copy with some fields changed (validated again)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown settings: {sorted(unknown)}")
        settings = replace(self, **changes)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse development secrets in production and malformed values anywhere."""
        if self.env not in {"development", "test", "production"}:
            raise ConfigError(f"APP_ENV must be development, test or production, not {self.env!r}")
        if self.env == "production":
            for name, value in (("SECRET_KEY", self.secret_key), ("QR_SIGNING_KEY", self.qr_signing_key)):
                if value == DEV_SECRET or len(value) < 32:
                    raise ConfigError(f"{name} must be set to a random value of at least 32 characters")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if self.points_expiry_days < 0:
            raise ConfigError("POINTS_EXPIRY_DAYS must not be negative")
        for name in RETENTION_SETTINGS:
            if getattr(self, name) <= 0:
                raise ConfigError(f"{INT_SETTINGS[name]} must be positive")
        if self.inactive_notice_days >= 365 * self.inactive_account_years:
            raise ConfigError("INACTIVE_NOTICE_DAYS must be shorter than INACTIVE_ACCOUNT_YEARS")
        if self.public_base_url and urlsplit(self.public_base_url).scheme not in {"http", "https"}:
            raise ConfigError("PUBLIC_BASE_URL must be an http:// or https:// address")

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (else PostgreSQL)."""
        return self.database_url.startswith("sqlite")


def _non_negative_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _positive_int(name: str, raw: str) -> int:
    value = _non_negative_int(name, raw)
    if value == 0:
        raise ConfigError(f"{name} must be positive")
    return value


def link_base(settings: Settings, request_base: str | None = None) -> str:
    """The base of links that leave the app: ``PUBLIC_BASE_URL`` when set, else the base URL of the request
    that asked for them (``request.host_url``); "" when neither is known (a bot message: no web link)."""
    return (settings.public_base_url or request_base or "").rstrip("/")


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine only (localhost, 127.0.0.0/8, ::1): a printed link to it
    leads residents nowhere."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
