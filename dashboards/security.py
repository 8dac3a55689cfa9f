"""Security headers on every response (access-log redaction of link tokens: feedback/log_redaction.py).

Content-Security-Policy: scripts only from this site or with the response's nonce
(`<script nonce="{{ csp_nonce() }}">`), styles only from this site's files, no plugins, no <base>,
no framing, forms post only here. Charts: plotly.js runs under this policy if its stylesheet is
served as a file and marked `<link id="plotly.js-style-global" class="no-inline-styles" ...>`
(plotly then skips injecting a <style> element), so no 'unsafe-inline' is needed.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, g, request
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HSTS = "max-age=63072000; includeSubDomains"
STATIC_ENDPOINT = re.compile(r"(^|\.)static$")


def csp_nonce() -> str:
    """This response's nonce, for the rare inline <script> (prefer files under static/)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    headers["X-Content-Type-Options"] = "nosniff"
    # Survey and password links carry tokens: never send the URL to another site. Our own origin
    # must get it, because Flask-WTF refuses a POST over HTTPS without a same-origin Referer.
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if not STATIC_ENDPOINT.search(request.endpoint or ""):
        # Pages and data may hold patient information: never keep them in any cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def set_hsts(response: Response) -> Response:
    response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
    if app.config.get("APP_ENV") == "production":
        app.after_request(set_hsts)
    app.add_template_global(csp_nonce)
