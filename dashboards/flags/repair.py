"""Rupture–repair episodes: a session where the patient reported tension they rated talked
through, and where the alliance dipped clearly below their usual level, back within two
sessions. Resolved ruptures go with good outcomes, so these are good news (positive), never risk.

All three parts are required. Without the reported, resolved rupture, or without a dip beyond
ordinary session-to-session noise, week-to-week wobble alone made an "episode" for most stable
patients (docs/flags.md, the validation).
"""

import math

from dashboards.flags.events import Event
from dashboards.flags.history import Answers
from dashboards.flags.items import likert, reports_rupture
from dashboards.flags.ruptures import appeasement_signs
from dashboards.flags.stats import EPS, within_sd
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Point, Timeline, mean
from dashboards.flags.wording import index_n, rounded, scale_name, score_n
from feedback.phrases import phrase
from feedback.translatable import N_

SCALE = "alliance"


def repair_events(t: Timeline, th: Thresholds) -> list[Event]:
    norm = t.norms.get(SCALE)
    if norm is None:
        return []
    sigma = within_sd(norm.sd, norm.reliability)
    points = t.points.get(SCALE, ())
    # A "resolved" rupture where the patient went along with something is no repair to celebrate.
    # (A low alliance at the rupture session is the dip itself; the return is what counts then.)
    resolved = {s.number for s in t.sessions if s.patient is not None and _resolved(s.patient, th)
                and not appeasement_signs(s.patient, None, th)}
    events = []
    after = 0  # one episode per dip: the next one starts after this one's return
    for i, dip in enumerate(points):
        earlier = [p.score for p in points[:i]]
        if dip.number <= after or dip.number not in resolved or len(earlier) < 2:
            continue
        usual = mean(earlier)
        unit = sigma * math.sqrt(1 + 1 / len(earlier))
        z = (dip.score - usual) / unit
        if z > -th.repair_dip_z + EPS:
            continue
        back = next((p for p in points[i + 1:] if p.number <= dip.number + th.repair_within
                     and p.score >= usual - th.repair_return_z * unit - EPS), None)
        if back is not None:
            events.append(_event(usual, dip, z, back, t, th))
            after = back.number
    return events


def _resolved(patient: Answers, th: Thresholds) -> bool:
    """A reported rupture of some strength (not only "very slight") rated talked through."""
    tension, resolution = likert(patient.items, "rupture_tension"), likert(patient.items, "rupture_resolved")
    return (reports_rupture(patient) and tension is not None and tension >= th.repair_tension_min
            and resolution is not None and resolution >= th.rupture_repaired_min)


def _event(usual: float, dip: Point, z: float, back: Point, t: Timeline, th: Thresholds) -> Event:
    """Dated at the return session, the first moment the episode can be recognised."""
    return Event(
        code="rupture_repair_episode", severity="positive", session_number=back.number,
        subject=SCALE, current=t.is_recent(back.number),
        numbers={"usual": rounded(usual), "dip_session": dip.number, "dip_score": rounded(dip.score),
                 "dip_z": rounded(z), "return_session": back.number, "return_score": rounded(back.score),
                 "threshold": th.repair_dip_z},
        reason=phrase(N_("%(scale)s dipped from its usual %(usual)s to %(dip)s at session %(dip_session)s, where "
                         "the patient reported tension and rated it talked through (%(z)s within-person SDs down), "
                         "and was back at %(back)s by session %(back_session)s: a rupture–repair episode, the kind "
                         "that tends to go with good outcomes."),
                      scale=scale_name(SCALE), usual=score_n(usual), dip=score_n(dip.score), dip_session=dip.number,
                      z=index_n(-z), back=score_n(back.score), back_session=back.number).capitalised(),
    )
