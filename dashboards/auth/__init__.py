"""Clinician authentication: who is signed in, and how they sign in."""

from __future__ import annotations

from flask import Flask

from app import db, login_manager
from feedback.models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None
