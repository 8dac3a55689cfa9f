"""Rupture–repair episodes: a dip below the patient's running level that comes back within
two sessions. Resolved ruptures go with good outcomes, so these are shown as good news."""

from collections.abc import Sequence

from dashboards.flags.events import Event
from dashboards.flags.stats import EPS
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Point, Timeline, mean
from dashboards.flags.wording import capital, index, label, rounded, score


def repair_events(t: Timeline, th: Thresholds) -> list[Event]:
    events: list[Event] = []
    for scale in th.change_scales:
        norm = t.norms.get(scale)
        if norm is not None:
            events += _episodes(scale, t.points.get(scale, ()), norm.sd, t, th)
    return events


def _episodes(scale: str, points: Sequence[Point], sd: float, t: Timeline,
              th: Thresholds) -> list[Event]:
    events = []
    i = 1
    while i < len(points):
        running = mean([p.score for p in points[max(0, i - th.repair_running_window):i]])
        dip = points[i]
        drop = running - dip.score
        back = None
        if drop >= th.repair_drop_sd * sd - EPS:
            back = next((p for p in points[i + 1:]
                         if p.number <= dip.number + th.repair_within
                         and p.score >= running - th.repair_tolerance_sd * sd - EPS), None)
        if back is None:
            i += 1
            continue
        events.append(_event(scale, running, dip, back, drop, sd, t, th))
        i = points.index(back) + 1  # one episode per dip: resume after the return
    return events


def _event(scale: str, running: float, dip: Point, back: Point, drop: float, sd: float,
           t: Timeline, th: Thresholds) -> Event:
    """Dated at the return session, the first moment the episode can be recognised."""
    drop_sd = drop / sd
    large = drop_sd >= th.repair_large_drop_sd - EPS
    size = (f"{index(drop_sd)} SD, over {th.repair_large_drop_sd:g} SD" if large
            else f"{index(drop_sd)} SD")
    return Event(
        code="rupture_repair_episode", severity="positive", session_number=back.number,
        subject=scale, current=t.is_recent(back.number),
        numbers={"running_level": rounded(running), "dip_session": dip.number,
                 "dip_score": rounded(dip.score), "return_session": back.number,
                 "return_score": rounded(back.score), "drop": rounded(drop),
                 "drop_sd": rounded(drop_sd), "large": int(large),
                 "tolerance": rounded(th.repair_tolerance_sd * sd)},
        reason=(f"{capital(label(scale))} dipped from its usual {score(running)} to "
                f"{score(dip.score)} at session {dip.number} ({size}) and was back at "
                f"{score(back.score)} by session {back.number}: a rupture–repair episode, "
                "the kind that tends to go with good outcomes."),
    )
