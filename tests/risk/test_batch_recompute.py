"""A whole clinic's first evaluation in one batch stores, for every patient, what the engine says of
that patient's own history alone: the level and events as of today, and "ever rated high" as the
earlier semantics had it (the treatment evaluated as of each session date). Then a routine and a
full re-walk change nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dashboards.demo.cohort import KINDS
from dashboards.demo.cohort import generate_patient as cohort_patient
from dashboards.demo.seeding import store_history
from dashboards.flags import Answers, evaluate, event_key
from dashboards.risk import store
from dashboards.risk.histories import load_histories
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.risk.store import recompute_clinic
from dashboards.validity.forms import builtin_forms
from dashboards.validity.outcomes import OUTCOME_GROUPS, SCALES, generate_outcome_patient, outcome_forms, spread
from dashboards.validity.simulate import GROUPS, generate_patient
from feedback.extensions import db
from feedback.links import session_instruments
from feedback.models import utcnow
from tests.dashboards.builders import CALM, OPEN, UNANSWERED, add_weekly
from tests.risk.holds import free_to_evaluate

FORMS = builtin_forms()


def stored(patient_id: int) -> tuple[tuple, list[tuple]]:
    risk = db.session.get(PatientRisk, patient_id)
    events = db.session.scalars(select(RiskEvent).where(RiskEvent.patient_id == patient_id)).all()
    return ((risk.level, risk.ever_high, risk.main_reason != ""),
            sorted((e.key, e.code, e.severity, e.session_number, e.subject, e.current, e.reason, e.numbers)
                   for e in events))


def expected(history, today) -> tuple[tuple, list[tuple]]:
    ev = evaluate(history, today)
    dates = sorted({s.date for s in history.sessions if s.date <= today})
    ever = ev.risk == "high" or any(evaluate(history, d).risk == "high" for d in dates)
    main = any(e.current and e.severity in ("high", "watch") for e in ev.events)
    return ((ev.risk, ever, main),
            sorted((event_key(e), e.code, e.severity, e.session_number, e.subject, e.current, e.reason, dict(e.numbers))
                   for e in ev.events))


def outcome_answers(history) -> dict[int, list]:
    """The outcome forms' answers behind the simulated totals (as tests/validity/test_outcomes.py)."""
    rng = random.Random(0)  # noqa: S311  (simulation, not secrets)
    answers: dict[int, list] = {}
    for form, instrument in outcome_forms().items():
        scale = SCALES[form]
        for s in history.outcomes[scale].scores:
            answers.setdefault(s.session_number, []).append(
                (instrument, spread(rng, instrument.scales[scale].items, int(s.total))))
    return answers


def test_a_clinics_first_evaluation_in_one_batch_is_each_patients_own(make_clinic, make_user, make_patient):
    clinic = make_clinic(timezone="Europe/London")
    therapist = make_user(clinic=clinic)
    zone = ZoneInfo(clinic.timezone)
    simulated = [generate_patient(group, i, 11, FORMS) for group in GROUPS for i in range(3)]
    simulated += [generate_outcome_patient(group, i, 11, FORMS) for group in OUTCOME_GROUPS for i in range(2)]
    # The demo cohort's kinds add long silences and missed sessions; their scores are stored rounded,
    # so their oracle is the history read back for that patient alone.
    cohort = [cohort_patient(kind, seed) for kind in KINDS for seed in (1, 2)]
    patients = []
    for history in [sim.history for sim in simulated] + cohort:
        patient = make_patient(therapist)
        last = max(s.date for s in history.sessions)
        outcomes = outcome_answers(history) if history.outcomes else None
        store_history(patient, history, {"patient": FORMS.patient, "therapist": FORMS.therapist},
                      last_session_on=last, start_time=time(10), zone=zone,
                      now=datetime.combine(last, time(23), zone).astimezone(UTC), outcomes=outcomes)
        patients.append((patient.id, history))
    db.session.commit()
    now = utcnow()
    today = now.astimezone(zone).date()

    assert len(recompute_clinic(clinic.id, now=now)) == len(patients)  # first evaluation: whole histories
    first = {pid: stored(pid) for pid, _ in patients}
    highs = 0
    alone = {pid: load_histories([pid], session_instruments()["patient"], now)[pid] for pid, _ in patients[-len(cohort):]}
    for pid, history in patients:
        want = expected(alone.get(pid, history), today)
        assert first[pid] == want, f"patient {pid}"
        highs += want[0][1]
    assert any(e[0].startswith("disengagement:unanswered") for _, events in first.values() for e in events)
    assert 0 < highs < len(patients)
    # some were high only in the past: ever-high comes from the walk over their session dates
    assert any(ever and level != "high" for (level, ever, _), _events in first.values())

    recompute_clinic(clinic.id, now=now)
    recompute_clinic(clinic.id, now=now, full_history=True)
    db.session.expire_all()
    assert {pid: stored(pid) for pid, _ in patients} == first


def test_a_form_reads_as_answered_unanswered_once_expired_or_still_open(make_patient):
    """What the batch load decides in its query: answered; expired without an answer; still open (None)."""
    patient = make_patient()
    now = utcnow()
    add_weekly(patient, [(CALM, UNANSWERED), (OPEN, None)], first=now - timedelta(days=9), now=now)
    db.session.commit()
    first, second = sorted(load_histories([patient.id], session_instruments()["patient"], now)[patient.id].sessions,
                           key=lambda s: s.number)
    assert first.patient.answered and first.therapist == Answers(answered=False, scores={}, items={})
    assert second.patient is None and second.therapist is None
    later = load_histories([patient.id], session_instruments()["patient"], now + timedelta(days=3))[patient.id]
    assert max(later.sessions, key=lambda s: s.number).patient == Answers(answered=False, scores={}, items={})


def test_a_whole_clinic_recompute_holds_each_batch_like_the_worker(make_clinic, make_user, make_patient,
                                                                   monkeypatch):
    """No worker evaluates one of its patients meanwhile (review finding: it took no locks), the
    evaluated and the never-evaluated alike."""
    clinic = make_clinic()
    therapist = make_user(clinic=clinic)
    evaluated, now = make_patient(therapist), utcnow()
    add_weekly(evaluated, [(CALM, CALM)] * 2, first=now - timedelta(weeks=2), now=now)
    db.session.commit()
    recompute_clinic(clinic.id)
    new = make_patient(therapist)
    add_weekly(new, [(CALM, CALM)], first=now - timedelta(weeks=1), now=now)
    db.session.commit()
    assert db.session.get(PatientRisk, new.id) is None
    real = store.load_histories_and_zones
    free: list[tuple[bool, bool]] = []

    def load(ids, *args, **kwargs):
        free.append((free_to_evaluate(evaluated.id), free_to_evaluate(new.id)))
        return real(ids, *args, **kwargs)

    monkeypatch.setattr(store, "load_histories_and_zones", load)
    assert set(recompute_clinic(clinic.id)) == {evaluated.id, new.id}
    assert free == [(False, False)]
    assert free_to_evaluate(evaluated.id) and free_to_evaluate(new.id)  # handed back at the commit
