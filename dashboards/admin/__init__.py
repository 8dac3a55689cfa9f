"""Directors' and admins' pages: the clinic's accounts, its audit trail, break-glass, sharing."""

from __future__ import annotations

from flask import Blueprint

from dashboards.access import protect

bp = Blueprint("admin", __name__)
protect(bp)

from dashboards.admin import accounts, break_glass, sharing, trail  # noqa: E402,F401  (routes)
