"""The clinicians' roles in words, for pages and e-mails (the stored value stays the English code)."""

from __future__ import annotations

from flask_babel import lazy_gettext

ROLE_NAMES = {
    "therapist": lazy_gettext("Therapist"), "director": lazy_gettext("Director"), "admin": lazy_gettext("Admin"),
}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))
