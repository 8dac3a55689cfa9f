"""Where to go after signing in: only a path on this site, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` if it is a local path ("/patients/P-1?x=1"), else None.

    Refuses absolute URLs, scheme-relative "//host", backslashes (browsers read "/\\host" as
    "//host") and control characters (browsers drop tabs and newlines, turning "/\\t/host" into "//host").
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
