"""What the schedule tests share: the default policy, a zone whose winter clock is UTC's, and UTC times."""

from __future__ import annotations

from datetime import UTC, datetime

from feedback.delivery.schedule import Policy

POLICY = Policy()
LONDON = "Europe/London"  # UTC+0 in winter: local and UTC readings coincide


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
