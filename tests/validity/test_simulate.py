import statistics

import pytest

from dashboards.flags import Answers
from dashboards.risk.norms import norms_of
from dashboards.validity.forms import builtin_forms
from dashboards.validity.parameters import DEFAULT_PARAMETERS as P
from dashboards.validity.simulate import AT_RISK, GROUPS, generate_cohort, generate_patient
from feedback.instruments.scoring import score

FORMS = builtin_forms()
N = 60


@pytest.fixture(scope="module")
def cohort():
    return generate_cohort(N, 7, FORMS)


def answered(patient):
    return [s for s in patient.history.sessions if s.patient is not None and s.patient.answered]


def test_same_seed_same_patients_and_a_small_run_is_the_start_of_a_large_one(cohort):
    again = generate_cohort(3, 7, FORMS)
    for group in GROUPS:
        assert [p.history for p in again[group]] == [p.history for p in cohort[group][:3]]
    other = generate_patient("stable", 0, 8, FORMS)
    assert other.history != cohort["stable"][0].history


def test_every_patient_has_twenty_weekly_slots_and_onsets_where_they_apply(cohort):
    with_onset = {*AT_RISK, "repaired_rupture"}
    for group, patients in cohort.items():
        for p in patients:
            assert len(p.true_levels) == len(p.dates) == P.sessions
            assert (p.onset is not None) == (group in with_onset)
            numbers = [s.number for s in p.history.sessions]
            assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_scores_are_the_apps_own_and_norms_come_from_the_instrument(cohort):
    norms = norms_of(FORMS.patient)
    for p in cohort["stable"][:10]:
        assert p.history.norms == norms
        for s in answered(p):
            assert s.patient.scores == score(FORMS.patient, s.patient.items)
            if s.therapist.answered:
                assert s.therapist.scores == score(FORMS.therapist, s.therapist.items)


def test_missed_sessions_have_no_questionnaire_and_unanswered_ones_are_marked(cohort):
    sessions = [s for patients in cohort.values() for p in patients for s in p.history.sessions]
    assert all(s.patient is None and s.therapist is None for s in sessions if s.attendance != "attended")
    assert {s.attendance for s in sessions} == {"attended", "no_show", "clinic_cancelled"}
    assert any(s.patient == Answers(answered=False, scores={}, items={}) for s in sessions)


def test_stable_scores_crowd_toward_the_top_of_the_scale(cohort):
    values = [s.patient.scores["alliance"] for p in cohort["stable"] for s in answered(p)]
    assert 4.1 < statistics.fmean(values) < 4.6
    assert sum(v >= 4.5 for v in values) / len(values) > 0.3
    held_back = [s.patient.items["held_back"] for p in cohort["stable"] for s in answered(p)]
    assert statistics.mode(held_back) == 1


def test_slow_decline_falls_one_and_a_half_sd_over_eight_sessions_then_stays(cohort):
    for p in cohort["slow_decline"]:
        levels = p.true_levels
        assert p.decline_end == p.onset + P.decline_sessions - 1
        assert levels[p.onset - 2] == pytest.approx(p.usual)
        assert p.usual - levels[p.decline_end - 1] == pytest.approx(P.decline_sd * P.between_sd)
        assert set(levels[p.decline_end - 1:]) == {levels[p.decline_end - 1]}
        assert p.decline_end + 4 <= P.sessions
    # Seen in the answers too: the mean alliance after the decline is clearly lower.
    before, after = [], []
    for p in cohort["slow_decline"]:
        for s in answered(p):
            (before if s.number < p.onset else after if s.number > p.decline_end else []).append(
                s.patient.scores["alliance"])
    assert statistics.fmean(before) - statistics.fmean(after) > P.between_sd


def test_sudden_drop_is_two_sd_and_lasting(cohort):
    for p in cohort["sudden_drop"]:
        assert p.true_levels[p.onset - 1] == pytest.approx(p.usual - P.drop_sd * P.between_sd)
        assert len(set(p.true_levels[p.onset - 1:])) == 1


def test_low_from_start_is_below_the_cutoff(cohort):
    cutoff = norms_of(FORMS.patient)["alliance"].low_cutoff
    patients = cohort["low_from_start"]
    assert all(p.usual < cutoff and p.onset == 1 for p in patients)
    values = [s.patient.scores["alliance"] for p in patients for s in answered(p)]
    assert statistics.fmean(values) < cutoff


def test_unresolved_rupture_is_reported_with_high_tension_at_its_onset(cohort):
    for p in cohort["unresolved_rupture"]:
        s = next(s for s in p.history.sessions if s.number == p.onset)
        assert s.attendance == "attended" and s.patient.answered
        assert s.patient.items["rupture"] is True
        assert s.patient.items["rupture_tension"] >= 4 and s.patient.items["rupture_resolved"] <= 2


def test_repaired_rupture_dips_then_ends_above_its_baseline(cohort):
    for p in cohort["repaired_rupture"]:
        s = next(s for s in p.history.sessions if s.number == p.onset)
        assert s.patient.items["rupture"] is True and s.patient.items["rupture_resolved"] >= 4
        assert p.true_levels[p.onset - 1] < p.usual < p.true_levels[p.onset]


def test_stable_minor_repaired_has_its_small_resolved_ruptures(cohort):
    for p in cohort["stable_minor_repaired"]:
        small = [s for s in answered(p) if s.patient.items["rupture"]
                 and s.patient.items["rupture_tension"] <= 2 and s.patient.items["rupture_resolved"] >= 4]
        assert len(small) >= P.minor_episodes


def test_disengaged_patients_are_gone_after_a_few_weeks(cohort):
    for p in cohort["disengagement"]:
        assert max(s.number for s in p.history.sessions) == p.onset + P.disengage_sessions - 1
    phase = [s for p in cohort["disengagement"] for s in p.history.sessions if s.number >= p.onset]
    missed_or_unanswered = [s for s in phase if s.attendance != "attended" or not s.patient.answered]
    assert len(missed_or_unanswered) / len(phase) > 0.5
