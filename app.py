"""Application factory and extension objects.

`create_app` reads like a table of contents: configuration, extensions, blueprints, error
handlers, CLI. It has no side effects: it does not migrate, seed, start a scheduler or touch
the network. Those are explicit commands (`flask --app app db upgrade`, `... demo`, `... worker`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

# Settings a deployment may give as environment variables; anything else keeps its default.
ENV_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "PHONE_ENCRYPTION_KEY",
    "PUBLIC_BASE_URL",
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
    "DIGEST_ENABLED",
    "DIGEST_CLINICS",
    "DIGEST_LOOKBACK_DAYS",
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


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    register_logging(app)
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    env = (test_config or {}).get("APP_ENV") or os.environ.get("APP_ENV", "development")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        APP_ENV=env,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "alliance.db"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        INSTRUMENT_DIRS="",
        PUBLIC_BASE_URL="",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env not in ("development", "testing"),
        # The __Host- prefix pins the cookie to this exact host over HTTPS (ASVS 5.0 session cookies).
        SESSION_COOKIE_NAME="__Host-session" if env == "production" else "session",
        WTF_CSRF_TIME_LIMIT=None,  # a survey may stay open on a phone for a while
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    for name in ENV_SETTINGS:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if test_config:
        app.config.update(test_config)
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


def register_logging(app: Flask) -> None:
    from feedback.log_redaction import install

    install("werkzeug", "gunicorn.access")
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def register_proxy(app: Flask) -> None:
    """Behind a reverse proxy, trust its X-Forwarded-* headers (scheme, host, client address) so
    URLs, secure cookies and Twilio's signatures see what the outside world sees."""
    hops = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    import feedback.models  # noqa: F401  (registers the tables with the metadata)
    from feedback.instruments import registry

    registry.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # WAL lets readers and one writer work at once; the busy timeout makes writers queue
    # instead of failing when several processes share the file.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Safe with WAL (no corruption; a power cut may lose the last commits, not old ones).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    # Imported here, not at the top: the blueprints import `db` from this module.
    from dashboards import web as dashboards_web
    from feedback import web as feedback_web

    feedback_web.register(app)
    dashboards_web.register(app)


def register_cli(app: Flask) -> None:
    from dashboards import cli as dashboards_cli
    from feedback import cli as feedback_cli

    feedback_cli.register(app)
    dashboards_cli.register(app)
