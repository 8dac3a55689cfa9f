"""The directors' and admins' blueprint; its routes are in this package's other modules."""

from __future__ import annotations

from flask import Blueprint

from dashboards.access import protect

bp = Blueprint("admin", __name__)
protect(bp)
