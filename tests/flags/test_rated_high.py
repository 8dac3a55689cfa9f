"""`rated_high` (a first evaluation's "ever rated high") and `evaluate` against the engine's earlier
semantics, written out here as the oracle: every rule over a timeline built afresh for each date.
On a varied simulated clinic: the demo cohort's kinds, the validation harness's groups and outcome
groups, histories whose session dates are out of session order, and looser thresholds."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from dashboards.demo.cohort import KINDS
from dashboards.demo.cohort import generate_patient as cohort_patient
from dashboards.flags import DEFAULT_THRESHOLDS, PatientHistory, Thresholds, evaluate
from dashboards.flags.change import Charts, change_events, chart
from dashboards.flags.engagement import disengagement_events
from dashboards.flags.engine import RUPTURE_OR_DECLINE, rated_high
from dashboards.flags.events import Evaluation, order, risk_level
from dashboards.flags.low_alliance import low_alliance_events
from dashboards.flags.markers import marker_events
from dashboards.flags.outcome import outcome_events, rated_high_on
from dashboards.flags.repair import repair_events
from dashboards.flags.ruptures import rupture_events
from dashboards.flags.timeline import Point, Timeline, as_score, timelines
from dashboards.validity.forms import builtin_forms
from dashboards.validity.outcomes import OUTCOME_GROUPS, generate_outcome_patient
from dashboards.validity.simulate import GROUPS
from dashboards.validity.simulate import generate_patient as simulated_patient
from tests.flags.builders import UNANSWERED, day, history, patient, session
from tests.outcomes.measures import both

FORMS = builtin_forms()
#: Lower alarm levels: more highs of every kind, so more of the paths are taken.
LOOSE = Thresholds.from_mapping({"cusum_h": 2.0, "confirm_sessions": 1, "low_confirm": 1})


def old_timeline(history: PatientHistory, as_of: datetime.date, recent: int) -> Timeline:
    sessions = tuple(sorted((s for s in history.sessions if s.date <= as_of), key=lambda s: s.number))
    points = {}
    for scale in history.norms:
        answered = [s for s in sessions if s.patient is not None and s.patient.answered]
        scored = [(s.number, as_score(s.patient.scores.get(scale))) for s in answered]
        points[scale] = tuple(Point(n, v) for n, v in scored if v is not None)
    return Timeline(sessions=sessions, points=points, norms=history.norms,
                    recent=frozenset(s.number for s in sessions[-recent:]), as_of=as_of,
                    ended_on=history.ended_on,
                    outcomes={scale: m.until(as_of) for scale, m in history.outcomes.items()})


def old_evaluate(history: PatientHistory, as_of: datetime.date, th: Thresholds) -> Evaluation:
    t = old_timeline(history, as_of, th.recent_sessions)
    events = [*rupture_events(t, th), *marker_events(t, th), *change_events(t, th), *repair_events(t, th),
              *low_alliance_events(t, th), *outcome_events(t, th)]
    last_answered = max((s.number for s in t.sessions if s.patient is not None and s.patient.answered), default=None)
    escalate = any(e.code in RUPTURE_OR_DECLINE and (e.current or e.session_number == last_answered) for e in events)
    events += disengagement_events(t, th, escalate)
    return Evaluation(risk=risk_level(events), events=order(events))


def out_of_order(history: PatientHistory) -> PatientHistory:
    """Sessions 3 and 6 trade dates (a rescheduled session): the dates no longer follow the numbers."""
    sessions = sorted(history.sessions, key=lambda s: s.number)
    if len(sessions) < 6:
        return history
    a, b = sessions[2], sessions[5]
    sessions[2], sessions[5] = replace(a, date=b.date), replace(b, date=a.date)
    return replace(history, sessions=tuple(reversed(sessions)))


def clinic() -> list[PatientHistory]:
    histories = [cohort_patient(kind, seed) for kind in KINDS for seed in range(6)]
    histories += [simulated_patient(group, i, 7, FORMS).history for group in GROUPS for i in range(4)]
    histories += [generate_outcome_patient(group, i, 7, FORMS).history for group in OUTCOME_GROUPS for i in range(4)]
    return histories + [out_of_order(h) for h in histories[::5]]


CLINIC = clinic()


@pytest.mark.parametrize("th", [DEFAULT_THRESHOLDS, LOOSE], ids=["default", "loose"])
def test_evaluate_and_rated_high_agree_with_the_earlier_semantics_on_every_session_date(th):
    highs = 0
    for h in CLINIC:
        days = sorted({s.date for s in h.sessions})
        high_on = []
        for d in days:
            old = old_evaluate(h, d, th)
            assert evaluate(h, d, th) == old
            high_on.append(old.risk == "high")
        # the answer as of every day of the treatment (a first evaluation looks at all days up to today)
        assert [rated_high(h, days[:i], th) for i in range(len(days) + 1)] == [
            any(high_on[:i]) for i in range(len(days) + 1)]
        highs += any(high_on)
    assert 0 < highs < len(CLINIC)  # both answers are exercised


def test_a_high_from_escalated_disengagement_alone_is_found():
    """The one high that no alerting rule's own event carries: an unresolved rupture, then silence
    (unanswered forms) that pushes it out of the recent sessions and escalates the disengagement."""
    silent = [session(n, UNANSWERED) for n in (3, 4, 5)]
    h = history(session(1, patient()), session(2, patient(rupture=True, rupture_tension=4, rupture_resolved=1)),
                *silent)
    ev = old_evaluate(h, day(5), DEFAULT_THRESHOLDS)
    assert ev.risk == "high"
    assert {e.code for e in ev.events if e.current and e.severity == "high"} == {"disengagement"}
    assert rated_high(h, [day(5)]) and not rated_high(h, [day(1)])


def test_a_chart_is_reused_only_for_a_series_that_starts_like_the_one_charted():
    """A first evaluation walks a treatment's dates latest first: each earlier day's chart is a slice
    of the later one's, unless the dates are out of session order and a session is not known yet."""
    full = tuple(Point(n, 4.4 - 0.12 * n) for n in range(1, 13))
    gap = full[:3] + full[4:9]  # session 4 not known yet
    charts = Charts()
    for series in (full, full[:7], gap, full[:2], full[:3], full):
        assert charts.charted("alliance", series, 0.36, DEFAULT_THRESHOLDS) == chart(series, 0.36, DEFAULT_THRESHOLDS).charted
    assert chart(gap, 0.36, DEFAULT_THRESHOLDS).charted != chart(full, 0.36, DEFAULT_THRESHOLDS).charted[:len(gap) - 4]


def _outcome_history(phq: list[int], gad: list[int], swapped: dict[int, datetime.date] | None = None
                     ) -> PatientHistory:
    """Twelve attended sessions with both outcome measures; `swapped` re-dates sessions (and their answers)."""
    measures = both(phq, gad)
    h = replace(history(*(session(n, patient()) for n in range(1, 13))), outcomes=measures)
    if not swapped:
        return h
    return replace(h, sessions=tuple(replace(s, date=swapped.get(s.number, s.date)) for s in h.sessions),
                   outcomes={scale: replace(m, scores=tuple(replace(s, date=swapped.get(s.session_number, s.date))
                                                            for s in m.scores)) for scale, m in measures.items()})


def _outcome_high_by_day(h: PatientHistory, days: list[datetime.date], th: Thresholds) -> list[bool]:
    return [risk_level(outcome_events(t, th)) == "high" for t in timelines(h, days, th.recent_sessions)]


@pytest.mark.parametrize("th", [DEFAULT_THRESHOLDS, LOOSE], ids=["default", "loose"])
def test_outcome_highs_judged_once_are_those_of_each_day_judged_afresh(th):
    """`rated_high_on` judges a treatment's outcome answers once for all its dates: on the days up
    to each one, and on the days from each one, its answer is whether a fresh evaluation of any of
    them has a current high."""
    deteriorating = ([16, 17, 9, 8, 7, 15, 22, 23, 20, 9, 8, 6], [12, 12, 7, 6, 6, 11, 16, 17, 15, 7, 6, 5])
    one_rise = ([9, 9, 9, 16, 9, 9, 9, 9, 9, 9, 9, 9], [6] * 12)  # one answer beyond: never confirmed
    improving = ([18, 17, 15, 12, 10, 9, 8, 7, 6, 6, 5, 5], [14, 13, 12, 10, 9, 8, 7, 6, 6, 5, 5, 4])
    found = []
    for phq, gad in (deteriorating, one_rise, improving):
        h = _outcome_history(phq, gad)
        days = sorted({s.date for s in h.sessions})
        fresh = _outcome_high_by_day(h, days, th)
        whole = next(timelines(h, [days[-1]], th.recent_sessions))
        for i in range(1, len(days) + 1):
            latest = next(timelines(h, [days[i - 1]], th.recent_sessions))
            assert rated_high_on(latest, days[:i], th) == any(fresh[:i])
            assert rated_high_on(whole, days[i - 1:], th) == any(fresh[i - 1:])
        found.append(any(fresh))
    assert found == [True, th.outcome_confirm == 1, False]


def test_outcome_highs_are_judged_day_by_day_when_the_dates_do_not_follow_the_sessions():
    """Sessions 4 and 5 trade dates (rescheduled): what is known on a day is no longer the first
    sessions, so `rated_high_on` declines, and `rated_high` judges each day afresh."""
    h = _outcome_history([16, 17, 9, 8, 7, 15, 22, 23, 20, 9, 8, 6], [12, 12, 7, 6, 6, 11, 16, 17, 15, 7, 6, 5],
                         {4: day(5), 5: day(4)})
    days = sorted({s.date for s in h.sessions})
    assert rated_high_on(next(timelines(h, [days[-1]], 2)), days, DEFAULT_THRESHOLDS) is None
    fresh = _outcome_high_by_day(h, days, DEFAULT_THRESHOLDS)
    assert any(fresh)
    assert [rated_high(h, days[:i]) for i in range(1, len(days) + 1)] == [
        any(old_evaluate(h, d, DEFAULT_THRESHOLDS).risk == "high" for d in days[:i]) for i in range(1, len(days) + 1)]


def test_an_answer_dated_apart_from_its_session_is_judged_day_by_day():
    """A GAD-7 answer dated after its session (a form that came in late, stored with another day):
    the outcome through that session is not the same on every later day, so nothing is reused."""
    h = _outcome_history([16] * 12, [12] * 12)
    gad = h.outcomes["gad7"]
    late = replace(gad, scores=tuple(replace(s, date=day(10)) if s.session_number == 4 else s for s in gad.scores))
    h = replace(h, outcomes={**h.outcomes, "gad7": late})
    assert rated_high_on(next(timelines(h, [day(12)], 2)), [day(12)], DEFAULT_THRESHOLDS) is None
