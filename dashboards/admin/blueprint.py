"""The directors' and admins' blueprint; its routes are in this package's other modules."""

from __future__ import annotations

from flask import Blueprint

from dashboards.access import protect
from dashboards.auth.roles import ROLE_NAMES

bp = Blueprint("admin", __name__)
protect(bp)
# The roles in words on every page that names one (accounts, audit trail, My account).
bp.app_context_processor(lambda: {"role_names": ROLE_NAMES})
