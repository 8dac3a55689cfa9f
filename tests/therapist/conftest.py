"""Fixtures for the therapist pages: the two-clinic world of the auth tests, signed-in clients,
treatments written straight to the database (then their flags computed), and a page's text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Patient, utcnow
from tests.auth.conftest import as_user, enrol, sign_in_as, world  # noqa: F401  (fixtures)
from tests.dashboards.builders import Form, add_weekly


def treat(patient: Patient, forms: list[tuple[Form, Form]], *, now: datetime | None = None, days_ago: int = 1) -> None:
    """Weekly attended sessions, the last one `days_ago`, one per (patient form, therapist form); flags computed.
    A form is answered a day after its session, or (UNANSWERED) expires three days after it."""
    now = now or utcnow()
    add_weekly(patient, forms, first=now - timedelta(days=days_ago, weeks=len(forms) - 1), now=now)
    db.session.commit()
    recompute_patients([patient.id], now=now)


TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def text(markup: str) -> str:
    """What a reader sees of some HTML: tags dropped, entities decoded, white space collapsed."""
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", markup))).strip()


def section(markup: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of its <section> (or the page)."""
    start = markup.index(f'id="{element_id}"')
    end = markup.find("</section>", start)
    return markup[start:end if end > 0 else None]


LONDON = ZoneInfo("Europe/London")  # the test clinics' zone


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[Callable[[datetime], None]]:
    """A stopped clock, from 15:00 on 14 January 2026; `clock(moment)` moves it."""
    with time_machine.travel(local(2026, 1, 14, 15, 0), tick=False) as traveller:
        yield traveller.move_to
