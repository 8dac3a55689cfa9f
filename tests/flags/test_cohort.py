import datetime
import statistics

import pytest

from dashboards.demo.cohort import DEFAULT_NORMS, KINDS, PATIENT_SCALES, generate_cohort, generate_patient, score
from dashboards.flags import evaluate

from .builders import last_day

SEEDS = range(20)
WEEK = datetime.timedelta(weeks=1)


def final(kind, seed, **kwargs):
    h = generate_patient(kind, seed, **kwargs)
    return h, evaluate(h, last_day(h))


def has(ev, code, subject=None, current=None):
    return any(e.code == code and (subject is None or e.subject == subject)
               and (current is None or e.current == current) for e in ev.events)


def ever_high(h):
    """Rated high as of any session date of the treatment."""
    return any(evaluate(h, s.date).risk == "high" for s in h.sessions)


# --- each kind of the demo shows its story -------------------------------------------------------
# The generator makes the demo clinic's stories (it is a demo tool, not a validation: that is
# dashboards/validity/). Measured over seeds 0–199 each while writing these tests, as of the last
# session unless "ever": stable_high ever high 0%, ends none 100%; slow_bond_decline ends high
# with a current alliance decline 97.5%, the bond named as the part that fell most 96.5%;
# sudden_loss ends high 100%, a quiet-withdrawal note or alert 85%; unresolved_rupture,
# repeated_ruptures end high 100%; disengagement shows unanswered and missed 100%;
# rupture_then_repair not high at the end 97.5%, an episode 99.5%, never a decline 90.5%;
# noisy_stable ever high 7.5%.


@pytest.mark.parametrize("seed", SEEDS)
def test_stable_high_is_never_high_and_ends_quiet(seed):
    h, ev = final("stable_high", seed)
    assert ev.risk == "none" and not ever_high(h)
    assert not has(ev, "unresolved_rupture")


def test_slow_bond_decline_ends_in_a_current_alliance_decline_led_by_the_bond():
    results = [final("slow_bond_decline", seed)[1] for seed in range(50)]
    confirmed = [ev for ev in results if ev.risk == "high" and has(ev, "reliable_decline", "alliance", current=True)]
    assert len(confirmed) >= 45
    assert all(any(e.code == "reliable_decline" and e.numbers["part"] == "bond" for e in ev.events)
               for ev in confirmed[:40])


@pytest.mark.parametrize("seed", SEEDS)
def test_sudden_loss_ends_in_a_lasting_reliable_decline(seed):
    _, ev = final("sudden_loss", seed)
    assert ev.risk == "high" and has(ev, "reliable_decline", "alliance", current=True)


def test_sudden_loss_usually_shows_the_quiet_withdrawal_at_the_drop():
    # The generator raises the withdrawal items at the drop without a reported rupture; one such
    # answer is a note, the same in two of three answered sessions an alert.
    results = [final("sudden_loss", seed)[1] for seed in range(100)]
    assert sum(has(ev, "quiet_withdrawal") for ev in results) >= 70  # 85 of 100 while writing this test


@pytest.mark.parametrize("kind", ["stable_high", "noisy_stable"])
def test_quiet_withdrawal_is_rare_where_nothing_is_going_on(kind):
    histories = [generate_patient(kind, seed) for seed in range(100)]
    answered = sum(s.patient is not None and s.patient.answered
                   for h in histories for s in h.sessions)
    quiet = sum(e.code == "quiet_withdrawal"
                for h in histories for e in evaluate(h, last_day(h)).events)
    assert quiet < 0.10 * answered  # 0.1–0.2% of answered sessions while writing this test


@pytest.mark.parametrize("seed", SEEDS)
def test_unresolved_rupture_is_current_and_high(seed):
    _, ev = final("unresolved_rupture", seed)
    assert ev.risk == "high" and has(ev, "unresolved_rupture", current=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_repeated_ruptures_are_current_and_high(seed):
    _, ev = final("repeated_ruptures", seed)
    assert ev.risk == "high" and has(ev, "repeated_ruptures", current=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_disengagement_shows_in_forms_attendance_and_later_a_gap(seed):
    h, ev = final("disengagement", seed)
    assert ev.risk in ("watch", "high")
    assert has(ev, "disengagement", "unanswered", current=True)
    assert has(ev, "disengagement", "missed", current=True)
    assert has(evaluate(h, last_day(h) + 5 * WEEK), "disengagement", "gap", current=True)


def test_rupture_then_repair_is_good_news_not_risk():
    results = [final("rupture_then_repair", seed) for seed in range(50)]
    assert sum(ev.risk != "high" for _, ev in results) >= 46  # 49 of 50 while writing this test
    assert sum(has(ev, "rupture_repair_episode") for _, ev in results) >= 47  # 50 of 50
    # The dip itself is seldom taken for a lasting decline: an alarm needs two sessions' evidence.
    never = sum(not any(has(evaluate(h, s.date), "reliable_decline") for s in h.sessions) for h, _ in results)
    assert never >= 40  # 45 of 50 while writing this test


# --- noisy but stable patients ----------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy():
    return [generate_patient("noisy_stable", seed) for seed in range(200)]


def test_noisy_stable_is_genuinely_noisy_around_four(noisy):
    alliance = [[s.patient.scores["alliance"] for s in h.sessions
                 if s.patient is not None and s.patient.answered] for h in noisy]
    assert 0.3 <= statistics.mean(statistics.stdev(xs) for xs in alliance) <= 0.4
    assert 3.8 <= statistics.mean(statistics.mean(xs) for xs in alliance) <= 4.2


def test_noisy_stable_ruptures_are_minor_and_resolved(noisy):
    assert not any(has(evaluate(h, last_day(h)), "unresolved_rupture") for h in noisy)


def test_fewer_than_one_in_ten_noisy_stable_patients_are_ever_high(noisy):
    # Evaluated as of every session date. 12 of these 200 (6.0%) while writing this test;
    # 7.0% over seeds 0–1999. With the first rules it was 148 (74%).
    assert sum(ever_high(h) for h in noisy) < 0.10 * len(noisy)


# --- the generator itself -------------------------------------------------------------------


def test_same_seed_same_patient_other_seed_other_patient():
    assert generate_patient("noisy_stable", 7) == generate_patient("noisy_stable", 7)
    assert generate_patient("noisy_stable", 7) != generate_patient("noisy_stable", 8)


def test_sessions_are_weekly_and_numbered_from_one():
    start = datetime.date(2025, 3, 3)
    h = generate_patient("stable_high", 1, n_sessions=12, start=start)
    assert [s.number for s in h.sessions] == list(range(1, 13))
    assert [s.date for s in h.sessions] == [start + i * WEEK for i in range(12)]
    assert h.norms is DEFAULT_NORMS and h.ended_on is None


def test_treatment_length_defaults_to_10_to_30_sessions():
    lengths = {len(generate_patient("stable_high", seed).sessions) for seed in range(100)}
    assert min(lengths) >= 10 and max(lengths) <= 30 and len(lengths) > 10


@pytest.mark.parametrize(("kind", "n"), [("no_such_kind", 20), ("stable_high", 9)])
def test_bad_requests_are_refused(kind, n):
    with pytest.raises(ValueError):
        generate_patient(kind, 1, n_sessions=n)


@pytest.mark.parametrize("kind", KINDS)
def test_answers_look_like_the_real_forms(kind):
    h = generate_patient(kind, 3, n_sessions=30)
    for s in h.sessions:
        assert (s.patient is None) == (s.attendance != "attended")
        for form in (s.patient, s.therapist):
            if form is None or not form.answered:
                continue
            likert = {k: v for k, v in form.items.items()
                      if k not in ("rupture", "markers", "strategy", "comment")}
            assert all(isinstance(v, int) and 1 <= v <= 5 for v in likert.values())
            assert isinstance(form.items["rupture"], bool)
            assert ("rupture_tension" in form.items) == form.items["rupture"]
        if s.patient is not None and s.patient.answered:
            assert s.patient.scores == score(s.patient.items, PATIENT_SCALES)


def test_the_local_scorer_reverses_goal_unclear_and_needs_enough_items():
    items = {"bond_understood": 4, "bond_trust": 5, "goal_agree": 4, "goal_unclear": 2}
    # bond (4 + 5) / 2 = 4.5; goal (4 + (6 − 2)) / 2 = 4.0; task has no answers;
    # alliance has 4 of 6 items, enough: (4 + 5 + 4 + 4) / 4 = 4.25
    assert score(items, PATIENT_SCALES) == {
        "bond": 4.5, "task": None, "goal": 4.0, "alliance": 4.25}
    del items["bond_trust"]  # 3 of 6 is too few for the alliance
    assert score(items, PATIENT_SCALES)["alliance"] is None


def test_missed_answers_and_sessions_occur_where_realistic():
    histories = [h for _, h in generate_cohort({"stable_high": 50, "noisy_stable": 50}, seed=1)]
    sessions = [s for h in histories for s in h.sessions]
    unanswered = sum(s.patient is not None and not s.patient.answered for s in sessions)
    missed = sum(s.attendance in ("cancelled", "no_show") for s in sessions)
    assert 0.01 < unanswered / len(sessions) < 0.1
    assert 0.01 < missed / len(sessions) < 0.1


def test_cohort_has_the_requested_kinds_and_is_reproducible():
    counts = {"sudden_loss": 3, "disengagement": 2}
    cohort = generate_cohort(counts, seed=5, n_sessions=30)
    assert [k for k, _ in cohort] == ["sudden_loss"] * 3 + ["disengagement"] * 2
    assert all(len(h.sessions) == 30 for _, h in cohort)
    assert cohort == generate_cohort(counts, seed=5, n_sessions=30)
    assert cohort[0][1] != cohort[1][1]
