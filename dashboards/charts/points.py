"""One treatment's sessions as the patient charts and their table see them.

For one scale: each session's two scores, rupture and missed marks and hover text
(`session_points`), and the patient's usual level with the range of ordinary variation around it
(`baseline_band`). Both use the flag engine's own timeline and cut-offs, so a chart never shows a
rupture or a fall the flags judged differently.
"""

from __future__ import annotations

import datetime
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dashboards.charts.marks import MISSED_MARKS, RUPTURE_MARKS
from dashboards.flags import DEFAULT_THRESHOLDS, Answers, PatientHistory, SessionRecord, Thresholds
from dashboards.flags.change import chart
from dashboards.flags.items import INDICATOR_WORDS
from dashboards.flags.stats import within_sd
from dashboards.flags.timeline import build_timeline, mean
from dashboards.flags.wording import scale_name
from feedback.phrases import Day, Listed, Num, Phrase, phrase
from feedback.translatable import N_

#: respondent ("patient" | "therapist") -> scale -> the item ids scored into it, for the hover text.
ScaleItems = Mapping[str, Mapping[str, Sequence[str]]]


class HasScaleItems(Protocol):
    """What `scale_items` needs of an instrument (feedback.instruments.model.Instrument)."""

    scales: Mapping[str, Any]


#: Half-width of the ordinary range in within-person SDs: about 95% of a stable patient's
#: sessions fall inside (project choice, for reading the chart; the flags use the CUSUM).
BAND_Z = 2.0


@dataclass(frozen=True)
class Band:
    """The patient's own baseline on a scale and the range of ordinary week-to-week variation."""

    baseline: float  # mean of the in-control sessions, as the decline flag uses it
    low: float  # baseline − z · unit: a score below is outside ordinary variation
    high: float
    unit: float  # within-person SD of one session's difference from the baseline
    z: float
    sessions: tuple[int, ...]  # the session numbers the baseline is the mean of


@dataclass(frozen=True)
class RuptureMark:
    status: str  # "unresolved" | "open" | "repaired"
    reported_by: str  # "patient" | "therapist" | "both"
    tension: int | None  # of the view whose status counts: the patient's when they reported it
    resolved: int | None

    @property
    def text(self) -> Phrase:
        who = {"patient": N_("reported by the patient"), "therapist": N_("reported by the therapist"),
               "both": N_("reported by both")}[self.reported_by]
        return phrase(N_("%(mark)s, %(who)s (tension %(tension)s, resolved %(resolved)s)"),
                      mark=Phrase(RUPTURE_MARKS[self.status].words), who=Phrase(who), tension=_of5(self.tension),
                      resolved=_of5(self.resolved))


@dataclass(frozen=True)
class SessionPoint:
    """One session as the chart and the table see it."""

    number: int
    date: datetime.date
    attendance: str
    patient: float | None  # the patient's score on the scale; None = not answered / not scored
    therapist: float | None
    rupture: RuptureMark | None
    missed: tuple[str, ...]  # kinds of MISSED_MARKS that apply
    hover: Listed  # session date and answers: plotly hover lines (values escaped), said by the edge


def scale_items(patient_instrument: HasScaleItems, therapist_instrument: HasScaleItems) -> dict[str, dict[str, tuple]]:
    """The `items` argument of the chart functions, from the two instruments' definitions."""
    return {
        respondent: {sid: tuple(scale.items) for sid, scale in instrument.scales.items()}
        for respondent, instrument in (("patient", patient_instrument), ("therapist", therapist_instrument))
    }


def baseline_band(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                  thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Band | None:
    """The baseline as the decline flag computes it and the ordinary range around it; None for
    scales the flags do not watch for decline, without norms, or before `baseline_sessions`
    scored sessions."""
    norm = history.norms.get(scale)
    if norm is None or scale not in thresholds.change_scales:
        return None
    points = build_timeline(history, as_of or datetime.date.max, thresholds.recent_sessions).points.get(scale, ())
    sigma = within_sd(norm.sd, norm.reliability)
    base = chart(points, sigma, thresholds).baseline
    if not base:
        return None
    baseline, unit = mean([p.score for p in base]), sigma * math.sqrt(1 + 1 / len(base))
    return Band(baseline, baseline - BAND_Z * unit, baseline + BAND_Z * unit, unit, BAND_Z,
                tuple(p.number for p in base))


def rupture_status(tension: int | None, resolved: int | None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """The same cut-offs as the rupture flags (unresolved_rupture / repaired_rupture / rupture)."""
    if (tension is not None and tension >= thresholds.rupture_tension_min
            and resolved is not None and resolved <= thresholds.rupture_unresolved_max):
        return "unresolved"
    if resolved is not None and resolved >= thresholds.rupture_repaired_min:
        return "repaired"
    return "open"


def session_points(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, items: ScaleItems | None = None) -> list[SessionPoint]:
    """Every session up to `as_of` (default: all), in order, with what the chart shows of it."""
    sessions = build_timeline(history, as_of or datetime.date.max, thresholds.recent_sessions).sessions
    return [_point(s, scale, thresholds, items or {}) for s in sessions]


def _point(s: SessionRecord, scale: str, th: Thresholds, items: ScaleItems) -> SessionPoint:
    missed = []
    if s.attendance in ("no_show", "cancelled", "clinic_cancelled"):
        missed.append(s.attendance)
    if s.patient is not None and not s.patient.answered:
        missed.append("patient_unanswered")
    if s.therapist is not None and not s.therapist.answered:
        missed.append("therapist_unanswered")
    rupture = _rupture(s, th)
    return SessionPoint(
        number=s.number, date=s.date, attendance=s.attendance,
        patient=_score(s.patient, scale), therapist=_score(s.therapist, scale),
        rupture=rupture, missed=tuple(missed), hover=_hover(s, scale, rupture, items),
    )


def _score(answers: Answers | None, scale: str) -> float | None:
    if answers is None or not answers.answered:
        return None
    value = answers.scores.get(scale)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(float(value), 3)


def _likert(answers: Answers | None, item: str) -> int | None:
    value = answers.items.get(item) if answers is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reported(answers: Answers | None) -> bool:
    return answers is not None and answers.answered and answers.items.get("rupture") is True


def _rupture(s: SessionRecord, th: Thresholds) -> RuptureMark | None:
    by_patient, by_therapist = _reported(s.patient), _reported(s.therapist)
    if not (by_patient or by_therapist):
        return None
    source = s.patient if by_patient else s.therapist  # the patient's view decides, as in the flags
    tension, resolved = _likert(source, "rupture_tension"), _likert(source, "rupture_resolved")
    who = "both" if by_patient and by_therapist else "patient" if by_patient else "therapist"
    return RuptureMark(rupture_status(tension, resolved, th), who, tension, resolved)


WHO = {"patient": N_("Patient"), "therapist": N_("Therapist")}


def _hover(s: SessionRecord, scale: str, rupture: RuptureMark | None, items: ScaleItems) -> Listed:
    lines: list[Phrase | str] = [phrase(N_("Session %(number)s · %(day)s"), number=s.number, day=Day(s.date))]
    if s.attendance in ("no_show", "cancelled", "clinic_cancelled"):
        lines.append(Phrase(MISSED_MARKS[s.attendance].words))
    for respondent, answers in (("patient", s.patient), ("therapist", s.therapist)):
        who = Phrase(WHO[respondent])
        if answers is None:
            continue
        if not answers.answered:
            lines.append(phrase(N_("%(who)s: form not answered"), who=who))
            continue
        score = _score(answers, scale)
        shown = Num(score, 1) if score is not None else Phrase(N_("not scored"))
        detail = ", ".join(html.escape(f"{item} {_value(answers.items[item])}", quote=False)
                           for item in items.get(respondent, {}).get(scale, ()) if item in answers.items)
        lines.append(phrase(N_("%(who)s: %(scale)s %(score)s (%(detail)s)") if detail else
                            N_("%(who)s: %(scale)s %(score)s"), who=who, scale=scale_name(scale), score=shown,
                            detail=detail))
    if rupture is not None:
        lines.append(rupture.text)
        if rupture.reported_by == "both":
            other = s.therapist
            lines.append(phrase(N_("Therapist: tension %(tension)s, resolved %(resolved)s"),
                                tension=_of5(_likert(other, "rupture_tension")),
                                resolved=_of5(_likert(other, "rupture_resolved"))))
    # The withdrawal / confrontation indicators, whenever raised above "not at all".
    raised = [phrase(N_("%(item)s %(value)s of 5"), item=Phrase(INDICATOR_WORDS[item]), value=v)
              for item in ("held_back", "went_along", "frustrated")
              if (v := _likert(s.patient, item)) is not None and v > 1]
    if raised:
        lines.append(phrase(N_("Patient: %(indicators)s"), indicators=Listed(tuple(raised), sep=", ")))
    return Listed(tuple(lines), sep="<br>")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _of5(value: int | None) -> Phrase:
    return Phrase(N_("not answered")) if value is None else phrase(N_("%(value)s of 5"), value=value)
