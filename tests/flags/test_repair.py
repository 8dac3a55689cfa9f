"""Rupture–repair episodes (repair.py), worked by hand. All three parts are needed: at the dip
session the patient reported tension (≥ repair_tension_min = 2) rated talked through
(≥ rupture_repaired_min = 4); the alliance there is z ≤ −repair_dip_z = −1 against the mean of
all earlier scored sessions (at least two), in units of σ_w·√(1 + 1/n) with σ_w = 0.6·√(1 − .64)
= 0.36; and within repair_within = 2 sessions it is back to ≥ usual − 0.5·unit.

V: sessions 1–3 at 4.2, 4.0, 4.2, usual = 12.4 / 3 = 4.133333, unit = 0.36·√(4/3) = 0.415692;
dip 3.6 at session 4: z = −0.533333 / 0.415692 = −1.283; back needs ≥ 4.133333 − 0.207846
= 3.925487, so 4.0 at session 5 is back (3.9 would not be).
"""

import dataclasses

from dashboards.flags import Thresholds, evaluate, event_key

from .builders import codes, day, find, history, patient, resolved_rupture, session

TH = Thresholds(repair_tension_min=2, rupture_repaired_min=4, repair_dip_z=1.0,
                repair_return_z=0.5, repair_within=2)


def treatment(*scores, rupture_at=(4,), **rupture):
    """One answered session per score; a resolved rupture reported at the sessions in rupture_at."""
    return history(*(session(n, resolved_rupture(s, **rupture) if n in rupture_at else patient(s))
                     for n, s in enumerate(scores, start=1)))


def episodes(h, as_of=None, th=TH):
    ev = evaluate(h, day(as_of or len(h.sessions)), th)
    return find(ev, "rupture_repair_episode")


def test_hand_computed_v_shape():
    ev = evaluate(treatment(4.2, 4.0, 4.2, 3.6, 4.0), day(5), TH)
    [episode] = find(ev, "rupture_repair_episode")
    assert (episode.severity, episode.subject, episode.session_number, episode.current) == (
        "positive", "alliance", 5, True)
    assert dict(episode.numbers) == {
        "usual": 4.133, "dip_session": 4, "dip_score": 3.6, "dip_z": -1.283,
        "return_session": 5, "return_score": 4.0, "threshold": 1.0}
    assert episode.reason == (
        "Overall alliance dipped from its usual 4.1 to 3.6 at session 4, where the patient reported "
        "tension and rated it talked through (1.28 within-person SDs down), and was back at 4.0 by "
        "session 5: a rupture–repair episode, the kind that tends to go with good outcomes.")
    assert event_key(episode) == "rupture_repair_episode:alliance:5"
    # Good news never raises the risk level; the rupture itself is a repaired note.
    assert ev.risk == "none" and codes(ev) == {"rupture_repair_episode", "repaired_rupture"}


def test_dated_at_the_return_not_before():
    h = treatment(4.2, 4.0, 4.2, 3.6, 4.0)
    assert episodes(h, as_of=4) == []
    assert [e.session_number for e in episodes(h, as_of=5)] == [5]


def test_current_only_while_the_return_is_recent():
    h = treatment(4.2, 4.0, 4.2, 3.6, 4.0, 4.1, 4.1, 4.1)
    assert episodes(h, as_of=7)[0].current  # sessions 5, 6, 7 are the recent ones
    [episode] = episodes(h, as_of=8)
    assert (episode.session_number, episode.current) == (5, False)


def test_the_return_may_take_two_sessions_but_not_three():
    # 3.8 < 3.925487 is not back; 4.0 at session 6 (= 4 + 2) is.
    [episode] = episodes(treatment(4.2, 4.0, 4.2, 3.6, 3.8, 4.0))
    assert (episode.session_number, episode.numbers["dip_session"]) == (6, 4)
    assert episodes(treatment(4.2, 4.0, 4.2, 3.6, 3.8, 3.8, 4.1)) == []


def test_back_means_within_half_a_unit_of_the_usual_level():
    # 3.9 < 3.925487 twice: no return; 3.95 ≥ 3.925487: back.
    assert episodes(treatment(4.2, 4.0, 4.2, 3.6, 3.9, 3.9)) == []
    [episode] = episodes(treatment(4.2, 4.0, 4.2, 3.6, 3.95))
    assert episode.numbers["return_score"] == 3.95


def test_the_dip_must_reach_repair_dip_z():
    # 3.75: z = −0.383333 / 0.415692 = −0.922 > −1: ordinary noise, no episode;
    # 3.7: z = −0.433333 / 0.415692 = −1.042 ≤ −1: an episode.
    assert episodes(treatment(4.2, 4.0, 4.2, 3.75, 4.1)) == []
    [episode] = episodes(treatment(4.2, 4.0, 4.2, 3.7, 4.1))
    assert episode.numbers["dip_z"] == -1.042


def test_a_dip_without_a_reported_rupture_is_nothing():
    h = treatment(4.2, 4.0, 4.2, 3.6, 4.0, rupture_at=())
    assert evaluate(h, day(5), TH).events == ()


def test_the_rupture_must_be_reported_at_the_dip():
    # Reported at the return session (5) instead: no episode.
    assert episodes(treatment(4.2, 4.0, 4.2, 3.6, 4.0, rupture_at=(5,))) == []


def test_the_rupture_must_be_of_some_strength_and_talked_through():
    # tension 1 ("very slight") is below repair_tension_min 2; resolution 3 is below 4.
    assert episodes(treatment(4.2, 4.0, 4.2, 3.6, 4.0, tension=1)) == []
    assert episodes(treatment(4.2, 4.0, 4.2, 3.6, 4.0, resolved=3)) == []
    # tension 2 and resolution 4 are just enough.
    assert len(episodes(treatment(4.2, 4.0, 4.2, 3.6, 4.0, tension=2, resolved=4))) == 1


def test_a_resolved_rupture_without_a_dip_is_only_a_note():
    # 4.1 at the rupture: z = −0.033333 / 0.415692 = −0.08.
    ev = evaluate(treatment(4.2, 4.0, 4.2, 4.1, 4.2), day(5), TH)
    assert [(e.code, e.severity, e.session_number) for e in ev.events] == [
        ("repaired_rupture", "note", 4)]


def test_needs_at_least_two_earlier_scored_sessions():
    # Two earlier: usual 4.1, unit 0.36·√1.5 = 0.440908, z = −0.7 / 0.440908 = −1.588,
    # back needs ≥ 4.1 − 0.220454 = 3.879546: an episode at 4.
    [episode] = episodes(treatment(4.2, 4.0, 3.4, 4.1, rupture_at=(3,)))
    assert (episode.session_number, episode.numbers["usual"], episode.numbers["dip_z"]) == (
        4, 4.1, -1.588)
    # Session 2 unscored: only one earlier scored session, no episode.
    assert episodes(treatment(4.2, None, 3.4, 4.1, rupture_at=(3,))) == []
    # One earlier session only.
    assert episodes(treatment(4.2, 3.4, 4.2, rupture_at=(2,))) == []


def test_one_episode_per_dip():
    # Ruptures at 4 (3.6) and 5 (3.5), back at 6. Session 5 would be a dip of its own
    # (usual 16.0 / 4 = 4.0, z = −0.5 / 0.402492 = −1.242, back ≥ 3.798754), but it is part of
    # the episode that started at 4: one episode, dip at 4, return at 6.
    h = treatment(4.2, 4.0, 4.2, 3.6, 3.5, 4.0, rupture_at=(4, 5))
    assert [(e.numbers["dip_session"], e.session_number) for e in episodes(h)] == [(4, 6)]


def test_a_later_dip_is_a_second_episode():
    # Session 8: usual (4.2 + 4.0 + 4.2 + 3.6 + 3.5 + 4.0 + 4.1) / 7 = 27.6 / 7 = 3.942857,
    # unit 0.36·√(8/7) = 0.384854, z = −0.442857 / 0.384854 = −1.151; back ≥ 3.750430.
    h = treatment(4.2, 4.0, 4.2, 3.6, 3.5, 4.0, 4.1, 3.5, 4.0, rupture_at=(4, 5, 8))
    assert [(e.numbers["dip_session"], e.session_number, e.numbers["usual"], e.numbers["dip_z"])
            for e in episodes(h)] == [(4, 6, 4.133, -1.283), (8, 9, 3.943, -1.151)]


def test_thresholds_change_the_rule():
    h = treatment(4.2, 4.0, 4.2, 3.6, 3.8, 4.0)
    # A deeper dip required (z ≤ −1.5): −1.283 is not enough.
    assert episodes(h, th=dataclasses.replace(TH, repair_dip_z=1.5)) == []
    # Back within one session only: 3.8 at session 5 is not back.
    assert episodes(h, th=dataclasses.replace(TH, repair_within=1)) == []
    # A looser return (within 1.0 unit: ≥ 4.133333 − 0.415692 = 3.717641): back at 5 already.
    [episode] = episodes(h, th=dataclasses.replace(TH, repair_return_z=1.0))
    assert episode.session_number == 5


def test_a_resolved_rupture_where_the_patient_went_along_is_no_episode():
    # The same V as the hand-computed one, but the patient also went along with something they
    # did not agree with: appeasement (watch), not a repair to celebrate.
    h = history(*(session(n, patient(s)) for n, s in enumerate((4.2, 4.0, 4.2), start=1)),
                session(4, patient(3.6, rupture=True, rupture_tension=3, rupture_resolved=4, went_along=4)),
                session(5, patient(4.0)))
    ev = evaluate(h, day(5), TH)
    assert episodes(h, th=TH) == [] and "appeasement" in codes(ev)
