import datetime

from dashboards.flags import PatientHistory, SessionRecord, evaluate
from dashboards.risk.norms import norms_of
from dashboards.validity import forms
from dashboards.validity.forms import builtin_forms
from dashboards.validity.replay import as_known_on, replay
from dashboards.validity.simulate import START, WEEK, SimulatedPatient, generate_patient

FORMS = builtin_forms()
CALM = {"bond_understood": 5, "bond_trust": 5, "task_useful": 4, "task_fit": 5, "goal_agree": 5,
        "goal_unclear": 1, "rupture": False, "held_back": 1, "went_along": 1, "frustrated": 1}
TENSE = CALM | {"rupture": True, "rupture_tension": 5, "rupture_resolved": 1}
THERAPIST = {"t_connected": 4, "t_collab": 4, "t_task": 4, "t_goal": 4, "rupture": False}


def patient_with(items_by_session, weeks=4):
    sessions = []
    for number in range(1, weeks + 1):
        items = items_by_session.get(number, CALM)
        patient = forms.UNANSWERED if items is None else forms.answers(FORMS.patient, items)
        sessions.append(SessionRecord(number, START + WEEK * (number - 1), "attended", patient,
                                      forms.answers(FORMS.therapist, THERAPIST)))
    history = PatientHistory(sessions=tuple(sessions), norms=norms_of(FORMS.patient))
    return SimulatedPatient("stable", 0, history, 4.5, (4.5,) * weeks, None, None)


def test_a_rupture_is_notified_once_the_day_it_is_reported():
    days = replay(patient_with({2: TENSE}))
    assert ("unresolved_rupture", "high") in days[1].new
    assert all(("unresolved_rupture", "high") not in d.new for d in days[2:])
    assert days[1].risk == "high"
    assert [d.session for d in days] == [1, 2, 3, 4]


def test_notes_and_positive_events_are_shown_never_notified():
    # A tension talked through (a note), then a clear dip at a reported, resolved rupture that
    # comes back (a rupture–repair episode, positive).
    repaired = CALM | {"rupture": True, "rupture_tension": 2, "rupture_resolved": 5}
    dip = {k: (3 if k in ("bond_understood", "bond_trust", "task_useful", "task_fit", "goal_agree") else v)
           for k, v in repaired.items()} | {"goal_unclear": 3}
    days = replay(patient_with({2: repaired, 5: dip}, weeks=6))
    assert ("repaired_rupture", "note") in days[1].current
    assert "rupture_repair_episode" in days[5].positives
    assert all(severity in ("high", "watch") for d in days for _, severity in d.new)


def test_a_form_not_answered_on_its_own_day_is_still_open_and_unanswered_a_week_later():
    p = patient_with({2: None, 3: None, 4: None})
    session = p.history.sessions[3]
    assert as_known_on(session, session.date).patient is None
    assert as_known_on(session, session.date + datetime.timedelta(days=7)).patient.answered is False
    # On session 4's day its form is still open: two unanswered forms so far, no disengagement,
    # though the finished history (all links expired) would show three in a row.
    assert replay(p)[3].risk == "none"
    assert evaluate(p.history, session.date).risk == "watch"


def test_the_level_each_day_is_the_engines_evaluation_of_that_day():
    p = generate_patient("sudden_drop", 3, 5, FORMS)
    for day in replay(p):
        known = PatientHistory(
            sessions=tuple(as_known_on(s, day.date) for s in p.history.sessions if s.date <= day.date),
            norms=p.history.norms)
        assert evaluate(known, day.date).risk == day.risk


def test_days_continue_after_a_disengaged_patient_is_gone():
    p = generate_patient("disengagement", 0, 5, FORMS)
    days = replay(p)
    assert len(days) == len(p.true_levels)
    assert max(s.number for s in p.history.sessions) < days[-1].session
