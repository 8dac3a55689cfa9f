"""Configuration from the environment: which settings exist, their safe defaults, and the one
reading of on/off values. Read when the app is created, never at import time.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from feedback import stored_json


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


# Settings a deployment may give as environment variables; anything else keeps its default.
ENV_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "PHONE_ENCRYPTION_KEY",
    "PUBLIC_BASE_URL",
    "FHIR_IDENTIFIER_BASE",
    "FHIR_IMPORT_MAX_MB",
    "INSTRUMENT_DIRS",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE_URL",
    "SMS_STATUS_CALLBACK_URL",
    "TRUSTED_PROXY_COUNT",
    "DEV_SKIP_2FA",
    "IDLE_LOGOUT_MINUTES",
    "SESSION_MAX_HOURS",
    "LOGIN_FAILURES_PER_IP",
    "PASSWORD_LINK_HOURS",
    "BREAK_GLASS_MINUTES",
    "TOTP_ISSUER",
    "SMS_SENDER_NAME",
    "CLINIC_CONTACT",
    "SMS_HELP_REPLY",
    "DELIVERY_POLICY_JSON",
    "DELIVERY_CLAIM_TTL_SECONDS",
    "DELIVERY_BATCH_SIZE",
    "DELIVERY_UNCERTAIN_GRACE_MINUTES",
    "SMS_WEBHOOK_RATE_LIMIT",
    "TWILIO_TIMEOUT_SECONDS",
    "DELIVERY_DISPATCH_SECONDS",
    "DELIVERY_PLAN_SECONDS",
    "DELIVERY_EXPIRE_SECONDS",
    "DELIVERY_RESOLVE_SECONDS",
    "FLAGS_REFRESH_SECONDS",
    "FLAGS_CHANGED_SECONDS",
    "FLAG_THRESHOLDS_JSON",
    "RESPONSE_RATES_SECONDS",
    "DIGEST_ENABLED",
    "DIGEST_CLINICS",
    "DIGEST_LOOKBACK_DAYS",
    "SAFETY_NOTIFY_SECONDS",
    "SAFETY_CLINIC_HOURS",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_FROM",
    "SMTP_STARTTLS",
    "SMTP_TIMEOUT_SECONDS",
)

# Development-only stand-ins: production refuses to start with any of them unset.
_DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105
_DEV_PHONE_KEY = "ZGV2LW9ubHktcGhvbmUta2V5LWRvLW5vdC11c2UtISE="


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    env = (test_config or {}).get("APP_ENV") or os.environ.get("APP_ENV", "development")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        APP_ENV=env,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "alliance.db"),
        SQLALCHEMY_ENGINE_OPTIONS={},  # the pool's ping: feedback/extensions.py ping_after_idle
        INSTRUMENT_DIRS="",
        PUBLIC_BASE_URL="",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env not in ("development", "testing"),
        # The __Host- prefix pins the cookie to this exact host over HTTPS (ASVS 5.0 session cookies).
        SESSION_COOKIE_NAME="__Host-session" if env == "production" else "session",
        WTF_CSRF_TIME_LIMIT=None,  # a form may stay open for a while (the tablet's survey, a long note)
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    for name in ENV_SETTINGS:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if test_config:
        app.config.update(test_config)
    # Whatever else a deployment sets for the engine: a failing statement's message never carries
    # its bound values (notes, answers, e-mail addresses) into a log. Stored JSON is read by
    # feedback/stored_json.py (what json.loads gives, quicker).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_deserializer": stored_json.decode, **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True,
    }
    if env == "testing":
        app.config["TESTING"] = True
    if env in ("development", "testing"):
        app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _DEV_SECRET_KEY
        app.config["PHONE_ENCRYPTION_KEY"] = app.config.get("PHONE_ENCRYPTION_KEY") or _DEV_PHONE_KEY
    missing = [k for k in ("SECRET_KEY", "PHONE_ENCRYPTION_KEY") if not app.config.get(k)]
    if missing:
        raise ConfigError(f"{', '.join(missing)} must be set in the environment (APP_ENV={env})")


def normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_ON = ("1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off", "")


def setting_on(value: object, name: str = "setting") -> bool:
    """An on/off setting: a bool, or one of 1/true/yes/on and 0/false/no/off (any case). Anything
    else is refused rather than guessed, so a typo never silently turns a protection on or off."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise ConfigError(f"{name} must be one of {', '.join(_ON)} or {', '.join(w for w in _OFF if w)}; got {value!r}")
