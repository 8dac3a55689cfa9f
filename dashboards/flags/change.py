"""Falls in the bond and overall alliance scores: against the patient's own baseline
(reliable_decline, downward_trend) and from one scored session to the next (sudden_drop).

A reliable decline must be sustained: it is confirmed when the score is reliably below the
baseline (RCI < −1.96) at `decline_confirm_sessions` consecutive scored sessions (default
two). Routine outcome monitoring confirms deterioration before alerting, and the provisional
norms' S_diff is of the order of ordinary session-to-session noise, so a single low session
is no evidence of a lasting fall. That session is not ignored: it is a `sudden_drop` (watch)
if it fell from the session before, a `downward_trend` (watch) if it ends a drift, and, if it
comes back, a rupture–repair episode, which docs/clinical-model.md counts as good news, not risk.

Recovery is judged the same way: a confirmed decline stays current until the score is no
longer reliably below the baseline at `decline_confirm_sessions` consecutive scored sessions.
One better session inside a lasting decline (4.2 → 2.5, 3.0, 3.5, 2.5 on the bond) is not a
recovery, just as one worse session is not a decline. With decline_confirm_sessions = 1 both
reduce to the single-session rule.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.flags.events import Event
from dashboards.flags.stats import EPS, ls_slope, s_diff
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Point, Timeline, mean, runs
from dashboards.flags.wording import count, index, label, rounded, score
from dashboards.flags.wording import sessions as listing


@dataclass(frozen=True)
class Assessed:
    """One scored session after the baseline, compared with the baseline."""

    point: Point
    rci: float
    slope: float | None  # over the last trend_window scored sessions ending here
    reliable: bool  # reliably below the baseline at this session
    declining: bool  # within a confirmed decline that has not (yet) confirmably recovered
    trending: bool  # drifting down to at least trend_rci below baseline, outside a decline


def change_events(t: Timeline, th: Thresholds) -> list[Event]:
    events: list[Event] = []
    for scale in th.change_scales:
        norm, points = t.norms.get(scale), t.points.get(scale, ())
        if norm is None:
            continue
        sdiff = s_diff(norm.sd, norm.reliability)
        events += _sudden_drops(scale, points, sdiff, t, th)
        if len(points) <= th.baseline_sessions:
            continue  # no baseline yet, or nothing after it
        baseline = mean([p.score for p in points[:th.baseline_sessions]])
        assessed = _assess(points, baseline, sdiff, th)
        latest = assessed[-1]
        for run in runs(assessed, lambda a: a.declining):
            events.append(_decline_event(scale, run, assessed, baseline, sdiff, th))
        for run in runs(assessed, lambda a: a.trending):
            events.append(_trend_event(scale, run[0], baseline, run[-1] is latest, th))
    return events


def _assess(points: Sequence[Point], baseline: float, sdiff: float,
            th: Thresholds) -> list[Assessed]:
    """Each session judged only on the sessions up to it, so an event, once found, keeps its
    date when later sessions arrive."""
    k = th.decline_confirm_sessions
    assessed = []
    low = high = 0  # consecutive scored sessions (not) reliably below the baseline, ending here
    declining = False
    for i in range(th.baseline_sessions, len(points)):
        p = points[i]
        rci = (p.score - baseline) / sdiff
        reliable = rci < -th.reliable_z
        low, high = (low + 1, 0) if reliable else (0, high + 1)
        # Hysteresis: a decline starts after k reliably low sessions in a row and ends only
        # after k sessions in a row that are not.
        declining = high < k if declining else low >= k
        slope = (ls_slope([q.score for q in points[i + 1 - th.trend_window:i + 1]])
                 if i + 1 >= th.trend_window else None)
        # A drift must end at least trend_rci below the baseline (one S_diff by default), or
        # it cannot be told from measurement error. A reliably low session not (yet)
        # confirmed may still be the end of a drift.
        trending = (slope is not None and slope < th.trend_slope - EPS and not declining
                    and rci <= th.trend_rci + EPS)
        assessed.append(Assessed(p, rci, slope, reliable, declining, trending))
    return assessed


def _decline_event(scale: str, run: list[Assessed], assessed: list[Assessed], baseline: float,
                   sdiff: float, th: Thresholds) -> Event:
    """One event per confirmed decline, dated at the session that confirmed it (the first
    moment it can be recognised, so its key never changes); it counts toward the current
    level until a recovery is confirmed."""
    k = th.decline_confirm_sessions
    at, last = run[0], run[-1]
    start = assessed.index(at)
    confirming = assessed[start + 1 - k:start + 1]
    ongoing = last is assessed[-1]
    numbers: dict[str, float | int | str] = {
        "baseline": rounded(baseline), "score": rounded(at.point.score), "rci": rounded(at.rci),
        "sessions": ", ".join(str(a.point.number) for a in confirming),
        "first_score": rounded(confirming[0].point.score),
        "first_rci": rounded(confirming[0].rci), "confirm_sessions": k,
        "threshold": th.reliable_z, "s_diff": rounded(sdiff),
        "baseline_sessions": th.baseline_sessions}
    if ongoing and last is not at:
        numbers |= {"latest_session": last.point.number, "latest_score": rounded(last.point.score),
                    "latest_rci": rounded(last.rci)}
        if last.reliable:
            after = (f" and is still at {score(last.point.score)} "
                     f"(index {index(last.rci)}) at session {last.point.number}")
        else:
            after = (f"; the better {score(last.point.score)} at session {last.point.number} "
                     f"(index {index(last.rci)}) is not yet a lasting recovery")
    elif not ongoing:
        recovery = assessed[assessed.index(last) + 2 - k:assessed.index(last) + 2]
        numbers |= {"recovered_session": recovery[0].point.number,
                    "recovered_score": rounded(recovery[0].point.score)}
        after = (f", then was no longer reliably below it at session{'s' if k > 1 else ''} "
                 f"{listing([a.point.number for a in recovery])}")
    else:
        after = ""
    many = k > 1
    return Event(
        code="reliable_decline", severity="high", session_number=at.point.number,
        subject=scale, current=ongoing, numbers=numbers,
        reason=(f"The {label(scale)} score fell from {score(baseline)} to "
                f"{listing([score(a.point.score) for a in confirming])} at "
                f"session{'s' if many else ''} {listing([a.point.number for a in confirming])} "
                f"(reliable change {'indices' if many else 'index'} "
                f"{listing([index(a.rci) for a in confirming])}; threshold ±{th.reliable_z:.2f}) "
                f"against the patient's first {count(th.baseline_sessions)} sessions{after}."),
    )


def _trend_event(scale: str, onset: Assessed, baseline: float, ongoing: bool,
                 th: Thresholds) -> Event:
    """Dated at the first session of the drift; current while the drift still holds."""
    slope = onset.slope if onset.slope is not None else 0.0
    return Event(
        code="downward_trend", severity="watch", session_number=onset.point.number,
        subject=scale, current=ongoing,
        numbers={"slope": rounded(slope), "threshold": th.trend_slope,
                 "window": th.trend_window, "score": rounded(onset.point.score),
                 "baseline": rounded(baseline), "rci": rounded(onset.rci),
                 "rci_threshold": th.trend_rci},
        reason=(f"The {label(scale)} score drifted down over the last "
                f"{count(th.trend_window)} scored sessions (slope {index(slope)} points per "
                f"session; threshold {index(th.trend_slope)}) to {score(onset.point.score)}, "
                f"below the patient's baseline of {score(baseline)} (change index "
                f"{index(onset.rci)}); not a confirmed reliable decline, but worth a look."),
    )


def _sudden_drops(scale: str, points: Sequence[Point], sdiff: float, t: Timeline,
                  th: Thresholds) -> list[Event]:
    amount = th.reliable_z * sdiff
    events = []
    for before, p in zip(points, points[1:], strict=False):
        fall = before.score - p.score
        if fall >= amount - EPS:
            events.append(Event(
                code="sudden_drop", severity="watch", session_number=p.number, subject=scale,
                current=t.is_recent(p.number),
                numbers={"previous": rounded(before.score), "previous_session": before.number,
                         "score": rounded(p.score), "drop": rounded(fall),
                         "amount": rounded(amount)},
                reason=(f"The {label(scale)} score dropped from {score(before.score)} at "
                        f"session {before.number} to {score(p.score)} at session {p.number}, "
                        f"at least the reliable-change amount of {index(amount)} points."),
            ))
    return events
