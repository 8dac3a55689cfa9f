"""The clinician pages' blueprint. Its routes live in the modules of this package, one per page
or use case (`home`, `patient_page`, `data`, `notes`, `manage`); each imports `bp` from here, and
the package's `__init__` imports them all so that handing out `bp` hands out every route."""

from __future__ import annotations

from flask import Blueprint, current_app

from dashboards.access import protect

# The name stays "dashboards": endpoints are `dashboards.home`, `dashboards.patient`, …
bp = Blueprint("dashboards", __name__)
protect(bp)


@bp.app_template_global()
def has_endpoint(name: str) -> bool:
    """For navigation links to pages another part of the app may not have registered."""
    return name in current_app.view_functions
