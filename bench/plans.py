"""Which index each hot query uses: the SQL a page or a worker step sends, captured as it runs,
then `EXPLAIN`ed on PostgreSQL and checked that no table growing with the organisation is read
whole.

A scan is *whole* when it is a `Seq Scan`, or an index scan without an `Index Cond` (walking a
whole index in order is a sequential scan in disguise). `tests/risk/test_query_plans.py` runs
this on a small organisation with `enable_seqscan = off` — small tables are cheaper to read whole,
so the planner would rightly do so there; switched off, it still reads a table whole when no index
can serve the condition, which is what the test is about. `bench/organisation.py` runs it at 50,000
patients with the real statistics and the planner's own choice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from bench.cookies import clinician_cookie
from dashboards.risk.refresh import pick_stale
from feedback import alone, tokens
from feedback.delivery.claims import claim_due
from feedback.extensions import db
from feedback.invitations import token_key
from feedback.models import Invitation, Patient, TherapySession, utcnow

#: Tables that do not grow with the patients: read whole, they cost the same at any size.
FIXED = frozenset({"clinics", "clinic_norms", "alembic_version"})
EXPLAINED = ("select", "with", "update", "delete")
#: With these off the planner reads a table whole only when no index can serve it, and joins by
#: nested loops, so each joined table must be reachable by an index from the row it joins to.
FORCED = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin", "enable_material")


@dataclass
class Scan:
    table: str
    node: str
    index: str | None
    condition: str | None

    @property
    def whole(self) -> bool:
        return self.node == "Seq Scan" or (self.node in ("Index Scan", "Index Only Scan") and not self.condition)

    def __str__(self) -> str:
        how = self.node + (f" using {self.index}" if self.index else "")
        return f"{self.table}: {how}" + (f" ({self.condition})" if self.condition else "")


@dataclass
class Plan:
    sql: str
    scans: list[Scan] = field(default_factory=list)

    @property
    def whole(self) -> list[Scan]:
        return [s for s in self.scans if s.whole and s.table not in FIXED]


@contextmanager
def captured() -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) sent while the block runs, executemany left out."""
    seen: list[tuple[str, Any]] = []

    def record(sent: alone.Sent) -> None:
        if not sent.many and sent.sql.lstrip().lower().startswith(EXPLAINED):
            seen.append((sent.sql, sent.params))

    with alone.watched(record):  # the survey's statements too, which go past the session
        yield seen


def scans(node: dict[str, Any]) -> Iterator[Scan]:
    if "Relation Name" in node:
        condition = node.get("Index Cond") or node.get("Recheck Cond")
        yield Scan(node["Relation Name"], node["Node Type"], node.get("Index Name"), condition)
    for child in node.get("Plans", ()):
        yield from scans(child)


def explain(statement: str, parameters: Any, *, seqscan: bool = True) -> Plan:
    """The plan PostgreSQL would choose (nothing is executed; a rolled-back transaction)."""
    with db.engine.connect() as conn:
        if not seqscan:
            for setting in FORCED:
                conn.execute(text(f"SET LOCAL {setting} = off"))
        found = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        conn.rollback()
    tree = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
    return Plan(" ".join(statement.split()), list(scans(tree)))


@dataclass
class Subjects:
    """Whose pages are looked at: a therapist with a patient, and the clinic's director."""

    therapist_id: int
    director_id: int
    patient_code: str


def _survey_token(therapist_id: int, code: str) -> str:
    """The link token of the patient's latest invitation, rebuilt from its nonce as the app does."""
    nonce = db.session.scalar(
        select(Invitation.token_nonce)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .where(Patient.code == code, Patient.therapist_id == therapist_id)
        .order_by(Invitation.id.desc())
        .limit(1)
    )
    return tokens.token_for(token_key(), nonce)


def page(app: Flask, path: str, cookie: str, expected: tuple[int, ...] = (200,)) -> Callable[[], object]:
    """A GET of `path` through the test client, signed in by `cookie` (a Cookie header value)."""

    def get() -> object:
        client = app.test_client()
        if cookie:
            client.set_cookie(*cookie.split("=", 1), domain="localhost")
        # A request of the test client reuses the app context the caller holds, and its `g`
        # would keep the user Flask-Login loaded last (the director, whose cookie is made
        # last): each page in a context of its own is seen by its own cookie's user.
        with app.app_context():
            answer = client.get(path)
        assert answer.status_code in expected, (path, answer.status_code)
        return answer.close()

    return get


def hot_paths(app: Flask, who: Subjects) -> dict[str, Callable[[], object]]:
    """Each hot path as something to run once: the pages through the test client with a signed-in
    cookie, the survey's token lookup, the worker's refresh pick and the delivery claim (both
    rolled back or claiming nothing: the moment is in the past)."""
    therapist = clinician_cookie(app, who.therapist_id)
    director = clinician_cookie(app, who.director_id)
    token = _survey_token(who.therapist_id, who.patient_code)
    db.session.commit()

    def refresh_pick() -> object:  # as the hourly refresh finds it: every evaluation older than the cutoff
        picked = pick_stale(utcnow() + timedelta(hours=1), 100)
        db.session.rollback()
        return picked

    return {
        "therapist home": page(app, "/", therapist),
        "patient page": page(app, f"/patients/{who.patient_code}", therapist),
        "director overview": page(app, "/clinic", director),
        "survey token lookup": page(app, f"/s/{token}", "", (200, 409, 410)),  # open, answered or expired
        "worker refresh pick": refresh_pick,
        "delivery claim": delivery_claim,
    }


def delivery_claim() -> object:
    """The dispatcher's claim, at a moment when nothing is due yet: it claims nothing."""
    return claim_due("plan-check", now=utcnow() - timedelta(days=3650), ttl=timedelta(seconds=30), limit=10)


def check(paths: dict[str, Callable[[], object]], *, seqscan: bool = True) -> dict[str, list[Plan]]:
    """Each path's statements and their plans (statements repeated within a path once)."""
    plans: dict[str, list[Plan]] = {}
    for name, run in paths.items():
        with captured() as seen:
            run()
        db.session.rollback()
        unique = {statement: parameters for statement, parameters in seen}
        plans[name] = [explain(statement, parameters, seqscan=seqscan) for statement, parameters in unique.items()]
    return plans


def summary(plans: dict[str, list[Plan]]) -> list[tuple[str, int, list[str]]]:
    """Per path: how many statements, and each whole-table read (empty: every table by index)."""
    return [(name, len(found), [f"{s} in: {p.sql[:160]}" for p in found for s in p.whole])
            for name, found in plans.items()]
