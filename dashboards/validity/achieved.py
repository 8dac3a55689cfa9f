"""What the generator actually produced, to set beside the parameters' targets: per scale the
session-to-session test–retest r (as Duncan et al. 2003 computed it: the correlation across
patients between consecutive sessions, averaged over the session pairs), mean, between- and
within-person SD and the share at the ceiling; and the realised rates of missed sessions,
unanswered forms, ruptures and marker answers."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.flags import Answers
from dashboards.flags.stats import variance_components
from dashboards.validity.simulate import SimulatedPatient

SCALES = ("bond", "task", "goal", "alliance")
CEILING = 4.5


@dataclass(frozen=True)
class ScaleStats:
    scale: str
    retest_r: float | None  # None when too few consecutive answered sessions
    mean: float
    between_sd: float
    within_sd: float
    at_ceiling: float  # % of scores at or above CEILING


@dataclass(frozen=True)
class Achieved:
    patients: int
    scales: tuple[ScaleStats, ...]
    rates: dict[str, float]  # description -> %

    def retest(self, scale: str) -> float | None:
        return next(s.retest_r for s in self.scales if s.scale == scale)


def _answered(patient: SimulatedPatient) -> dict[int, Answers]:
    return {s.number: s.patient for s in patient.history.sessions if s.patient is not None and s.patient.answered}


def _scores(patient: SimulatedPatient, scale: str) -> dict[int, float]:
    return {n: v for n, a in _answered(patient).items() if (v := a.scores.get(scale)) is not None}


def retest_r(patients: Sequence[SimulatedPatient], scale: str, sessions: int) -> float | None:
    series = [_scores(p, scale) for p in patients]
    rs = []
    for k in range(1, sessions):
        pairs = [(s[k], s[k + 1]) for s in series if k in s and k + 1 in s]
        xs, ys = [a for a, _ in pairs], [b for _, b in pairs]
        if len(pairs) >= 3 and len(set(xs)) > 1 and len(set(ys)) > 1:
            rs.append(statistics.correlation(xs, ys))
    return statistics.fmean(rs) if rs else None


def _scale_stats(patients: Sequence[SimulatedPatient], scale: str, sessions: int) -> ScaleStats:
    series = [list(_scores(p, scale).values()) for p in patients]
    series = [s for s in series if len(s) >= 2]
    values = [v for s in series for v in s]
    between, within = variance_components(series)  # the estimator the calibration page uses
    return ScaleStats(
        scale=scale, retest_r=retest_r(patients, scale, sessions), mean=statistics.fmean(values),
        between_sd=between**0.5, within_sd=within**0.5,
        at_ceiling=100.0 * sum(v >= CEILING for v in values) / len(values))


def _rates(patients: Sequence[SimulatedPatient]) -> dict[str, float]:
    sessions = [s for p in patients for s in p.history.sessions]
    attended = [s for s in sessions if s.attendance == "attended"]
    forms = [s.patient for s in attended if s.patient is not None and s.patient.answered]
    ruptures = [s for s in attended if s.patient and s.patient.answered and s.patient.items.get("rupture")]
    seen = [s for s in ruptures if s.therapist and s.therapist.answered]
    quiet = [s for s in attended if s.patient and s.patient.answered and s.therapist and s.therapist.answered
             and not s.patient.items.get("rupture")]

    def share(part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 0.0

    def at_least(item: str, value: int) -> float:
        return share(sum((a.items.get(item) or 0) >= value for a in forms), len(forms))

    return {
        "no-show, % of recorded sessions": share(sum(s.attendance == "no_show" for s in sessions), len(sessions)),
        "cancelled by the clinic, % of recorded sessions": share(
            sum(s.attendance == "clinic_cancelled" for s in sessions), len(sessions)),
        "patient form unanswered, % of attended": share(
            sum(s.patient is not None and not s.patient.answered for s in attended), len(attended)),
        "patient reports a rupture, % of answered forms": share(len(ruptures), len(forms)),
        "therapist notices it, % of patient-reported ruptures": share(
            sum(bool(s.therapist.items.get("rupture")) for s in seen if s.therapist), len(seen)),
        "therapist reports one the patient did not, % of such sessions": share(
            sum(bool(s.therapist.items.get("rupture")) for s in quiet if s.therapist), len(quiet)),
        "held_back 4 or 5, % of answered forms": at_least("held_back", 4),
        "went_along 4 or 5, % of answered forms": at_least("went_along", 4),
        "frustrated 4 or 5, % of answered forms": at_least("frustrated", 4),
        "held_back 1 (floor), % of answered forms": share(sum(a.items.get("held_back") == 1 for a in forms),
                                                           len(forms)),
    }


def achieved(patients: Sequence[SimulatedPatient], sessions: int) -> Achieved:
    return Achieved(
        patients=len(patients),
        scales=tuple(_scale_stats(patients, scale, sessions) for scale in SCALES),
        rates=_rates(patients),
    )
