"""Recompute and store flags: for one patient when their data changes, or for a whole clinic.

The one place that writes PatientRisk and RiskEvent rows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import bindparam, insert, select, update

from dashboards.flags import DEFAULT_THRESHOLDS, Evaluation, Event, PatientHistory, Thresholds, evaluate, event_key
from dashboards.flags.engine import rated_high
from dashboards.flags.events import new_events
from dashboards.risk.histories import load_histories_and_zones
from dashboards.risk.models import PatientRisk, RiskEvent
from feedback import cycle_collector
from feedback.config import ConfigError
from feedback.extensions import db, hold_sqlite_write_lock
from feedback.links import session_instruments
from feedback.models import Patient, utcnow

BATCH = 500
# A batch's stored rows, by statements built once (as in dashboards.risk.histories).
_STORED_RISKS = (
    select(PatientRisk)
    .where(PatientRisk.patient_id.in_(bindparam("ids", expanding=True)))
    .order_by(PatientRisk.patient_id)
    .execution_options(populate_existing=True)
)
# With `lock`, the risk rows are locked before anything is read, in a fixed order: two recomputes
# of one patient (the worker's poll and its refresh, or a recorded session) then run one after the
# other on PostgreSQL, the second reading what the first stored. SQLite has no row locks: there the
# batch's transaction starts with the database's write lock instead (hold_sqlite_write_lock).
_STORED_RISKS_LOCKED = _STORED_RISKS.with_for_update()
# A patient not evaluated yet has no risk row: their patient row stands in (as in the worker's
# refresh), so two first evaluations run one after the other rather than both inserting one.
_UNEVALUATED_LOCKED = (
    select(Patient.id).where(Patient.id.in_(bindparam("ids", expanding=True))).order_by(Patient.id).with_for_update()
)
_STORED_EVENTS = select(RiskEvent).where(RiskEvent.patient_id.in_(bindparam("ids", expanding=True)))
# The changes marked for a batch (feedback.changes), read before its histories: an answer stored
# after this read moves the mark, and the clear below then leaves it for the next evaluation.
_MARKS = select(Patient.id, Patient.flags_stale_at).where(
    Patient.id.in_(bindparam("ids", expanding=True)), Patient.flags_stale_at.is_not(None)
).order_by(Patient.id)  # cleared in id order, as the rows are locked: no two batches deadlock
_NEW_EVENTS = insert(RiskEvent.__table__)  # Core: one executemany for the batch's new events
_PATIENTS = Patient.__table__  # Core: one executemany for the batch's marks
_CLEAR_MARK = (
    update(_PATIENTS)
    .where(_PATIENTS.c.id == bindparam("pid"), _PATIENTS.c.flags_stale_at == bindparam("mark"))
    .values(flags_stale_at=None)
)


def thresholds() -> Thresholds:
    overrides: Mapping[str, Any] | None = current_app.config.get("FLAG_THRESHOLDS")
    return Thresholds.from_mapping(overrides) if overrides else DEFAULT_THRESHOLDS


def configure_thresholds(app: Flask) -> None:
    """FLAG_THRESHOLDS_JSON (environment) overrides thresholds for the deployment, e.g.
    '{"cusum_h": 4}'; checked at start-up, so a typo stops the app instead of a flag."""
    text = app.config.get("FLAG_THRESHOLDS_JSON")
    if not text:
        return
    try:
        overrides = json.loads(text)
        if not isinstance(overrides, dict):
            raise ValueError("it must be a JSON object of threshold names and values")
        Thresholds.from_mapping(overrides)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise ConfigError(f"FLAG_THRESHOLDS_JSON: {exc}") from None
    app.config["FLAG_THRESHOLDS"] = overrides


def local_today(timezone: str, now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(timezone)).date()


def _main_event(evaluation: Evaluation) -> Event | None:
    rank = {"high": 0, "watch": 1}
    current = [e for e in evaluation.events if e.current and e.severity in rank]
    if not current:
        return None
    # Most severe first, then the most recent session.
    return min(current, key=lambda e: (rank[e.severity], -(e.session_number or 10**6)))


def ever_high(history: PatientHistory, evaluation: Evaluation, as_of: date, limits: Thresholds) -> bool:
    """Was the treatment rated high as of any of its session dates (or now)?"""
    if evaluation.risk == "high":
        return True
    return rated_high(history, sorted({s.date for s in history.sessions if s.date <= as_of}), limits)


def store(
    patient_id: int,
    history: PatientHistory,
    evaluation: Evaluation,
    as_of: date,
    now: datetime,
    *,
    risk: PatientRisk | None,
    existing: Mapping[str, RiskEvent],
    added: list[dict[str, Any]],
    full_history: bool = False,
    announce: bool = True,
) -> list[Event]:
    """Save one evaluation over the patient's stored `risk` row (None before the first evaluation)
    and `existing` events by key; returns the events that are new (worth notifying). Runs no query
    of its own: the caller loads those rows for a whole batch, inserts the events this appends to
    `added` (`insert_events`) and flushes once."""
    limits = thresholds()
    if risk is None:
        risk = PatientRisk(patient_id=patient_id, ever_high=False)
        db.session.add(risk)
        full_history = True  # first evaluation: look back over the whole history once
    was_high = bool(risk.ever_high)
    risk.level = evaluation.risk
    risk.as_of = as_of
    risk.evaluated_at = now
    main = _main_event(evaluation)
    risk.main_reason = main.reason[:400] if main else ""
    risk.main_reason_message = main.message.to_json() if main and main.message is not None else None
    # A full re-walk decides afresh (after a rule change, old highs may no longer be highs);
    # otherwise "ever" only grows.
    risk.ever_high = (ever_high(history, evaluation, as_of, limits) if full_history
                      else was_high or evaluation.risk == "high")

    fresh = new_events(existing, evaluation)
    # `announce` off: store what a re-evaluation finds without telling anyone it is new (after an
    # upgrade or a threshold change, events re-keyed by the new rules are not news).
    news = {event_key(e) for e in fresh} if announce else set()
    keep = set()
    for event in evaluation.events:
        key = event_key(event)
        keep.add(key)
        values = {"code": event.code, "severity": event.severity, "session_number": event.session_number,
                  "subject": event.subject, "current": event.current, "reason": event.reason,
                  "numbers": dict(event.numbers),
                  "reason_message": event.message.to_json() if event.message is not None else None}
        row = existing.get(key)
        if row is None:
            added.append({"patient_id": patient_id, "key": key, "first_seen_at": now, "news": key in news,
                          "notified_at": None, **values})
        else:
            for name, value in values.items():
                setattr(row, name, value)
    for key, row in existing.items():
        if key not in keep:
            db.session.delete(row)
    return fresh


def insert_events(rows: list[dict[str, Any]]) -> None:
    """New events, in one statement for a batch (a first evaluation stores some 15,000). Not through
    the ORM, which inserts them with RETURNING for their ids in statements of thousands of
    parameters: on PostgreSQL that was a sixth of a clinic's first evaluation (cProfile). Nothing
    in the batch reads these rows back."""
    if rows:
        db.session.execute(_NEW_EVENTS, rows)


def recompute_patients(
    patient_ids: Iterable[int],
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    full_history: bool = False,
    lock: bool = False,
    announce: bool = True,
) -> dict[int, Evaluation]:
    """Re-evaluate and store the given patients, in batches of a few queries each; commits.
    Clears each patient's mark of a changed answer (feedback.changes) that the evaluation saw.

    `lock`: hold the patients while evaluating (the worker's evaluations, a recorded session, a
    whole clinic): their stored rows on PostgreSQL (the patient's row before a first evaluation),
    one statement a batch, in id order; the database's write lock on SQLite. Two evaluations of a
    patient then run one after the other, the second reading what the first stored."""
    now = now or utcnow()
    ids = list(patient_ids)
    results: dict[int, Evaluation] = {}
    for start in range(0, len(ids), BATCH):
        with cycle_collector.paused():  # a batch's objects make no cycles (feedback/cycle_collector.py)
            results.update(_recompute_batch(ids[start : start + BATCH], as_of, now, full_history=full_history,
                                            lock=lock, announce=announce))
    return results


def _recompute_batch(
    batch: list[int], as_of: date | None, now: datetime, *, full_history: bool, lock: bool, announce: bool
) -> dict[int, Evaluation]:
    """One batch of `recompute_patients`, in one transaction: a few queries, then one commit."""
    limits = thresholds()
    risks = _hold(batch) if lock else _by_patient(db.session.scalars(_STORED_RISKS, {"ids": batch}))
    marks = db.session.execute(_MARKS, {"ids": batch}).all()
    histories, zones = load_histories_and_zones(batch, session_instruments()["patient"], now)
    events: dict[int, dict[str, RiskEvent]] = defaultdict(dict)
    for row in db.session.scalars(_STORED_EVENTS, {"ids": batch}):
        events[row.patient_id][row.key] = row
    added: list[dict[str, Any]] = []
    results: dict[int, Evaluation] = {}
    for patient_id, history in histories.items():
        day = as_of or local_today(zones[patient_id], now)
        evaluation = evaluate(history, day, limits)
        store(patient_id, history, evaluation, day, now,
              risk=risks.get(patient_id), existing=events[patient_id], added=added, full_history=full_history,
              announce=announce)
        results[patient_id] = evaluation
    insert_events(added)
    if marks:  # last, just before the commit: the patient rows are held for milliseconds
        db.session.execute(_CLEAR_MARK, [{"pid": pid, "mark": mark} for pid, mark in marks])
    db.session.commit()  # one flush for the batch
    return results


def _hold(batch: list[int]) -> dict[int, PatientRisk]:
    """Hold a batch's patients for this transaction and read their stored risks: on SQLite the
    database's write lock; on PostgreSQL their risk rows, and the patient rows of those with none."""
    hold_sqlite_write_lock()
    risks = _by_patient(db.session.scalars(_STORED_RISKS_LOCKED, {"ids": batch}))
    if db.session.get_bind().dialect.name == "postgresql" and len(risks) < len(batch):
        db.session.execute(_UNEVALUATED_LOCKED, {"ids": [pid for pid in batch if pid not in risks]})
    return risks


def _by_patient(risks: Iterable[PatientRisk]) -> dict[int, PatientRisk]:
    return {risk.patient_id: risk for risk in risks}


def recompute_clinic(
    clinic_id: int, *, now: datetime | None = None, full_history: bool = False, announce: bool = True
) -> dict[int, Evaluation]:
    """Every patient of a clinic. A patient evaluated for the first time is always looked at over
    their whole history (for ever-high); `full_history` re-walks everyone's, e.g. after a threshold
    change — about three times the work, since ever-high is sticky otherwise.

    Holds each batch's patients like the worker does (`lock`), so it never overlaps a worker's
    evaluation of one of them: a worker's poll or a recorded session waits for the batch (500
    patients, a second or two: bench/RESULTS.md), the batch for the worker's 50 at most."""
    ids = db.session.scalars(select(Patient.id).where(Patient.clinic_id == clinic_id).order_by(Patient.id)).all()
    return recompute_patients(ids, now=now, full_history=full_history, announce=announce, lock=True)
