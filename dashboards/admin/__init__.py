"""Directors' and admins' pages: the clinic's accounts, its audit trail, break-glass, sharing.

Every route is on the blueprint in `blueprint.py`; importing this package registers them all.
"""

from dashboards.admin import accounts, break_glass, sharing, trail  # noqa: F401  (routes)
from dashboards.admin.blueprint import bp

__all__ = ["bp"]
