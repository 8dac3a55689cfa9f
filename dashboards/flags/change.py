"""Change in the overall alliance against the patient's own baseline, with a false-alarm budget.

Session-level ratings wobble from week to week, and a rule applied after every session
multiplies its chances of a false alarm. So each scored session is compared with a personal
baseline (the mean of the patient's earlier in-control sessions, which grows while the treatment
is stable), standardised by the within-person noise, and the evidence is accumulated in a
one-sided CUSUM (Page 1954) whose alarm level sets the false-alarm budget (thresholds.py):

- `reliable_decline` (high): the CUSUM reaches cusum_h on evidence from at least
  confirm_sessions scored sessions; current until recovery_sessions scored sessions in a row are
  back within k of the baseline;
- `sudden_drop` (watch): one session at least drop_z within-person SDs below the baseline;
- `downward_trend` (note, never notified): the CUSUM past trend_h, not (yet) an alarm.

The two-item subscales are too noisy to judge change on; they explain it (which part fell most).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.flags.events import Event
from dashboards.flags.stats import EPS, within_sd
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Point, Timeline, mean, runs
from dashboards.flags.wording import count, index_n, listed, rounded, scale_name, score_n, short_n, the_scale
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

SUBSCALES = ("bond", "task", "goal")


@dataclass(frozen=True)
class Charted:
    """One scored session after the first baseline, on the patient's own chart."""

    point: Point
    baseline: float  # mean of the in-control sessions before this one
    baseline_n: int
    unit: float  # within-person SD of a session's difference from that mean: σ_w · √(1 + 1/n)
    z: float  # (score − baseline) / unit
    cusum: float  # lower CUSUM after this session
    pushing: bool  # this session added to the evidence of a fall (z < −k)
    declining: bool  # within an alarm that has not (yet) recovered


@dataclass(frozen=True)
class Chart:
    charted: list[Charted]
    baseline: tuple[Point, ...]  # the sessions the latest baseline is the mean of


def chart(points: Sequence[Point], sigma: float, th: Thresholds) -> Chart:
    """Each session judged on the sessions before it only, so an event keeps its date when
    later sessions arrive. Sessions join the baseline while the chart is in control."""
    if len(points) < th.baseline_sessions:
        return Chart([], ())
    base = list(points[:th.baseline_sessions])
    charted: list[Charted] = []
    cusum, declining, back, building = 0.0, False, 0, 0
    for p in points[th.baseline_sessions:]:
        baseline, n = mean([b.score for b in base]), len(base)
        unit = sigma * math.sqrt(1 + 1 / n)
        z = (p.score - baseline) / unit
        cusum = max(0.0, cusum - z - th.cusum_k)
        pushing = z < -th.cusum_k - EPS  # this session added evidence of a fall
        # Sessions whose scores added to the evidence since the chart was last in control.
        building = 0 if cusum <= EPS else building + pushing
        if declining:
            back = back + 1 if z >= -th.cusum_k - EPS else 0
            if back >= th.recovery_sessions:
                declining, cusum, back, building = False, 0.0, 0, 0
        elif cusum >= th.cusum_h - EPS and pushing and building >= th.confirm_sessions:
            declining, back = True, 0
        charted.append(Charted(p, baseline, n, unit, z, cusum, pushing, declining))
        if not declining and cusum <= EPS:
            base.append(p)
    return Chart(charted, tuple(base))


class Charts:
    """Each scale's latest chart, reused for a series that starts like it: a chart judges each session
    on the ones before it only, so the chart of a shorter series is a slice of the longer one's (a
    first evaluation looks at a treatment as of each of its dates, the latest first)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Sequence[Point], list[Charted]]] = {}

    def charted(self, scale: str, points: Sequence[Point], sigma: float, th: Thresholds) -> list[Charted]:
        seen = self._seen.get(scale)
        if seen is not None and len(points) <= len(seen[0]) and tuple(points) == tuple(seen[0][:len(points)]):
            return seen[1][:max(0, len(points) - th.baseline_sessions)]
        found = chart(points, sigma, th).charted
        self._seen[scale] = (points, found)
        return found


def change_events(t: Timeline, th: Thresholds, charts: Charts | None = None) -> list[Event]:
    """`charts`: kept across evaluations of one treatment with the same thresholds."""
    events: list[Event] = []
    for scale in th.change_scales:
        norm = t.norms.get(scale)
        if norm is None:
            continue
        sigma = within_sd(norm.sd, norm.reliability)
        points = t.points.get(scale, ())
        charted = charts.charted(scale, points, sigma, th) if charts else chart(points, sigma, th).charted
        if not charted:
            continue
        latest = charted[-1]
        for run in runs(charted, lambda c: c.declining):
            events.append(_decline(scale, run, charted, sigma, t, th))
        for c in charted:
            if c.z <= -th.drop_z + EPS and not c.declining:
                events.append(_drop(scale, c, sigma, t, th))
        # A drift is shown while the sessions keep it up, not while one old dip decays.
        for run in runs(charted, lambda c: not c.declining and c.pushing and c.cusum >= th.trend_h - EPS):
            events.append(_trend(scale, run, run[-1] is latest, th))
    return events


def _decline(scale: str, run: list[Charted], charted: list[Charted], sigma: float, t: Timeline,
             th: Thresholds) -> Event:
    """Dated at the session that raised the alarm (its key never changes); current until a
    confirmed recovery."""
    at, last = run[0], run[-1]
    start = charted.index(at)
    # The sessions whose evidence built up to the alarm: back to the last in-control one.
    first = start
    while first > 0 and charted[first - 1].cusum > EPS:
        first -= 1
    building = charted[first:start + 1]
    ongoing = last is charted[-1]
    below = mean([c.point.score for c in building])
    numbers: dict[str, float | int | str] = {
        "baseline": rounded(at.baseline), "baseline_sessions": at.baseline_n,
        "score": rounded(at.point.score), "mean": rounded(below),
        "sessions": ", ".join(str(c.point.number) for c in building),
        "cusum": rounded(at.cusum), "threshold": th.cusum_h, "k": th.cusum_k,
        "within_sd": rounded(sigma)}
    part = _largest_fall(t, at.point.number, [c.point.number for c in building])
    explain: Phrase | str = ""
    if part is not None:
        name, before, after = part
        numbers |= {"part": name, "part_before": rounded(before), "part_after": rounded(after)}
        explain = phrase(N_("; the fall is largest in the %(part)s (%(before)s → %(after)s)"),
                         part=scale_name(name), before=score_n(before), after=score_n(after))
    after_text: Phrase | str = ""
    if ongoing:
        if last is not at:
            after_text = phrase(N_("; it is %(score)s at session %(number)s"), score=score_n(last.point.score),
                                number=last.point.number)
    else:
        recovered = charted[charted.index(last) + 1]
        numbers |= {"recovered_session": recovered.point.number}
        after_text = phrase(N_(", then was back near the usual level by session %(number)s"),
                            number=recovered.point.number)
    reason = (N_("%(scale)s has been below the patient's usual %(baseline)s (mean of %(count)s earlier sessions) "
                 "at sessions %(sessions)s (mean %(mean)s), more than ordinary week-to-week variation explains "
                 "(cumulative evidence %(cusum)s; alert at %(alert)s)%(explain)s%(after)s.") if len(building) > 1 else
              N_("%(scale)s has been below the patient's usual %(baseline)s (mean of %(count)s earlier sessions) "
                 "at session %(sessions)s (mean %(mean)s), more than ordinary week-to-week variation explains "
                 "(cumulative evidence %(cusum)s; alert at %(alert)s)%(explain)s%(after)s."))
    return Event(
        code="reliable_decline", severity="high", session_number=at.point.number, subject=scale,
        current=ongoing, numbers=numbers,
        reason=phrase(reason, scale=the_scale(scale), baseline=score_n(at.baseline), count=count(at.baseline_n),
                      sessions=listed([c.point.number for c in building]), mean=score_n(below),
                      cusum=index_n(at.cusum), alert=short_n(th.cusum_h), explain=explain,
                      after=after_text).capitalised(),
    )


def _largest_fall(t: Timeline, at: int, building: list[int]) -> tuple[str, float, float] | None:
    """The subscale whose mean fell most from the sessions before the build-up to it."""
    falls = []
    for name in SUBSCALES:
        points = t.points.get(name, ())
        before = [p.score for p in points if p.number < building[0]]
        during = [p.score for p in points if p.number in building]
        if before and during:
            falls.append((mean(before) - mean(during), name, mean(before), mean(during)))
    if not falls:
        return None
    # Equal falls go to the bond first, then task, then goal (the order of SUBSCALES).
    fall, name, before, after = max(falls, key=lambda f: (round(f[0], 9), -SUBSCALES.index(f[1])))
    return (name, before, after) if fall > EPS else None


def _drop(scale: str, c: Charted, sigma: float, t: Timeline, th: Thresholds) -> Event:
    return Event(
        code="sudden_drop", severity="watch", session_number=c.point.number, subject=scale,
        current=t.is_recent(c.point.number),
        numbers={"baseline": rounded(c.baseline), "baseline_sessions": c.baseline_n,
                 "score": rounded(c.point.score), "z": rounded(c.z), "threshold": th.drop_z,
                 "within_sd": rounded(sigma)},
        reason=phrase(N_("%(scale)s fell to %(score)s at session %(number)s, %(z)s within-person SDs below the "
                         "patient's usual %(baseline)s (alert at %(alert)s): one session, which may recover or be "
                         "the start of a fall."),
                      scale=the_scale(scale), score=score_n(c.point.score), number=c.point.number,
                      z=index_n(-c.z), baseline=score_n(c.baseline), alert=short_n(th.drop_z)).capitalised(),
    )


def _trend(scale: str, run: list[Charted], ongoing: bool, th: Thresholds) -> Event:
    at = run[0]
    return Event(
        code="downward_trend", severity="note", session_number=at.point.number, subject=scale,
        current=ongoing,
        numbers={"baseline": rounded(at.baseline), "score": rounded(at.point.score),
                 "cusum": rounded(at.cusum), "threshold": th.trend_h, "alarm": th.cusum_h},
        reason=phrase(N_("%(scale)s has been a little below the patient's usual %(baseline)s since about session "
                         "%(number)s (cumulative evidence %(cusum)s, an alert needs %(alert)s): not beyond "
                         "ordinary variation yet."),
                      scale=the_scale(scale), baseline=score_n(at.baseline), number=at.point.number,
                      cusum=index_n(at.cusum), alert=short_n(th.cusum_h)).capitalised(),
    )
