"""Configuration comes from the environment; production refuses unsafe defaults."""

from __future__ import annotations

import pytest

from app import create_app
from feedback.config import ConfigError, normalise_database_url


def test_production_requires_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PHONE_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY, PHONE_ENCRYPTION_KEY must be set"):
        create_app()


def test_production_reads_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PHONE_ENCRYPTION_KEY", "A" * 43 + "=")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.internal/alliance")
    app = create_app()
    assert app.config["SECRET_KEY"] == "s" * 40
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/alliance"
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_database_url_normalisation():
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
