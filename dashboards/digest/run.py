"""One digest run: plan, claim, send, release what no e-mail carried."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale

from dashboards.digest.claims import claim, release
from dashboards.digest.message import Digest, compose
from dashboards.digest.recipients import enabled_clinics, pending_digests
from feedback.links import external_url
from feedback.mail import Mailer, configured_mailer, sender_address
from feedback.models import utcnow

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "DIGEST_ENABLED": False,
    "DIGEST_CLINICS": "",
    "DIGEST_LOOKBACK_DAYS": 7,
}


@dataclass
class DigestRun:
    clinics: list[str] = field(default_factory=list)
    unknown_clinics: list[str] = field(default_factory=list)
    planned: list[Digest] = field(default_factory=list)
    sent: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)  # what was (or, dry, would be) sent


def send_digests(*, now: datetime | None = None, mailer: Mailer | None = None, dry_run: bool = False) -> DigestRun:
    """One digest run (what a daily scheduler calls). Dry: compose, but send and mark nothing."""
    now = now or utcnow()
    config = current_app.config
    clinics, unknown = enabled_clinics(config)
    run = DigestRun(clinics=[c.name for c in clinics], unknown_clinics=unknown)
    if not clinics:
        return run
    mailer = mailer or configured_mailer(config)
    sender, link = sender_address(config), external_url("dashboards.home")
    lookback = timedelta(days=float(config.get("DIGEST_LOOKBACK_DAYS") or DEFAULTS["DIGEST_LOOKBACK_DAYS"]))
    run.planned = pending_digests(clinics, now, lookback)
    if dry_run:
        run.messages = [_composed(d, link, sender) for d in run.planned]
        return run
    owned = claim({i for d in run.planned for i in d.event_ids}, now)
    delivered: set[int] = set()
    for digest in run.planned:
        digest = digest.only(owned)  # another run may have taken some events first
        if not digest.events:
            continue
        message = _composed(digest, link, sender)
        try:
            mailer.send(message)
        except OSError as exc:  # smtplib's and ssl's errors are OSErrors
            log.warning("digest to %s not sent: %s", digest.to, exc)
            run.failed.append((digest, str(exc) or type(exc).__name__))
            continue
        run.sent.append(digest)
        run.messages.append(message)
        delivered |= digest.event_ids
    release(owned - delivered)  # flags no e-mail carried go to the next run
    return run


def _composed(digest: Digest, link: str, sender: str) -> EmailMessage:
    with force_locale(digest.language):  # the recipient's language, as the flags' names already are
        return compose(digest, link, sender)
