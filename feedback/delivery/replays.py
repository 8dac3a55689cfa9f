"""Acting on each Twilio webhook once: the processed-webhook key (see models/webhook.py)."""

from __future__ import annotations

import logging

from sqlalchemy.dialects import postgresql, sqlite

from feedback.extensions import db
from feedback.models.webhook import ProcessedWebhook

log = logging.getLogger(__name__)


def first_time(message_sid: str, event: str) -> bool:
    """Record the webhook (message, what it reports) as processed; False if it already was.

    Adds to the caller's transaction, so the key commits together with the webhook's effect
    (an effect that fails leaves no key, and Twilio's retry is acted on). ON CONFLICT DO NOTHING
    rather than catching an IntegrityError keeps a PostgreSQL transaction usable after a repeat;
    a copy arriving while the first is still in flight waits on the key, then counts as a repeat.
    """
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    added = db.session.scalar(
        insert(ProcessedWebhook)
        .values(message_sid=message_sid, event=event)
        .on_conflict_do_nothing()
        .returning(ProcessedWebhook.id)  # SQLAlchemy on psycopg reports no rowcount (-1) for it
    )
    if added is None:
        log.info("webhook %s (%s) was already processed: ignored", message_sid, event)
    return added is not None
