"""Trusting a reverse proxy's X-Forwarded-* headers, exactly as far as TRUSTED_PROXY_COUNT says.

The client address is what the per-address sign-in and webhook limits count and what the audit
trail records, so the count must equal the number of proxies in front (docs/production.md):

- 0 behind a proxy: every client has the proxy's address, so one client's failed sign-ins lock
  everyone out together, and the audit trail records the proxy instead of the person;
- too high (or set where clients reach the app directly): the app believes the X-Forwarded-For a
  client wrote itself, so it dodges the limits and puts any address it likes in the audit trail.

The second cannot be seen from inside; a hint of it can: a count set while requests arrive with
no X-Forwarded-For at all. That is logged once per process.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

#: Load balancers' probes may come straight to the app, without the proxy's headers.
UNPROXIED_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


def install(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if hops <= 0:
        return
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    once = threading.Lock()  # taken by the first request that warns, never released

    @app.before_request
    def warn_if_not_proxied() -> None:
        if request.endpoint in UNPROXIED_ENDPOINTS or "X-Forwarded-For" in request.headers:
            return
        if not once.acquire(blocking=False):
            return
        log.warning(
            "TRUSTED_PROXY_COUNT=%d, but a request (%s) came without X-Forwarded-For: if clients can reach "
            "the app without the proxy they can forge the header (then set 0); if the proxy does not send "
            "it, every client has the proxy's address in the rate limits and the audit trail. Logged once.",
            hops, request.endpoint or "no route",
        )
