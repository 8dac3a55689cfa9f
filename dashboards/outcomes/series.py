"""One treatment's outcome answers as plain data: per outcome scale (PHQ-9, GAD-7, ...), the totals
by session, with the instrument's own rules for reading them (bands, caseness, reliable change)."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from feedback.instruments.model import Band, Instrument, OutcomeRules
from feedback.instruments.outcomes import ErrorRange, band, within_error
from feedback.phrases import Localised


@dataclass(frozen=True)
class Score:
    session_number: int
    date: datetime.date  # the session's day in the clinic's zone
    total: float


@dataclass(frozen=True)
class Measure:
    """One outcome scale over a treatment. The first score is the intake score, the last the latest."""

    scale: str  # the scale's id in its instrument file, e.g. "phq9"
    name: str  # as people say it, e.g. "PHQ-9"
    rules: OutcomeRules
    scores: tuple[Score, ...]  # in session order, one per session
    top: float | None = None  # the highest total the scale allows (27 for the PHQ-9), for charts

    @property
    def first(self) -> Score | None:
        return self.scores[0] if self.scores else None

    @property
    def latest(self) -> Score | None:
        return self.scores[-1] if self.scores else None

    @property
    def paired(self) -> bool:
        """A first and a later score: change can be read (NHS Talking Therapies' "paired scores")."""
        return len(self.scores) >= 2

    def until(self, day: datetime.date) -> Measure:
        """As known on `day` (later sessions left out)."""
        return self.of(tuple(s for s in self.scores if s.date <= day))

    def through(self, session_number: int) -> Measure:
        return self.of(self.scores[:bisect_right(self.scores, session_number, key=_number)])  # in session order

    def of(self, scores: tuple[Score, ...]) -> Measure:
        """The same measure with some of its own scores, in order (itself when they are all of them)."""
        if len(scores) == len(self.scores):
            return self
        # Not dataclasses.replace, which costs several times more: a first evaluation asks for a
        # measure as of every session date, and through every answered session.
        return Measure(scale=self.scale, name=self.name, rules=self.rules, scores=scores, top=self.top)

    def at(self, session_number: int) -> Score | None:
        return next((s for s in self.scores if s.session_number == session_number), None)


def _number(score: Score) -> int:
    return score.session_number


def error_range(m: Measure) -> ErrorRange | None:
    """Around the first score, the later totals within measurement error and the nearest reliable
    changes: the chart's band and its table's note both read this (totals from 0, as the axis)."""
    return None if m.first is None else within_error(m.rules, m.first.total, 0.0, m.top)


def band_name(item: Band, language: str = "en") -> str:
    return item.label.get(language) or next(iter(item.label.values()), "")


def band_words(rules: OutcomeRules, total: float, language: str = "en") -> str:
    """The severity band a total falls in, as the instrument names it: "Moderate"."""
    return band_name(band(rules, total), language)


def band_text(rules: OutcomeRules, total: float) -> Localised:
    """The same in every language the instrument names it in, for a phrase (said in the reader's)."""
    return Localised.of(band(rules, total).label)


#: Outcome scales keyed by scale id; a treatment's whole outcome series.
Measures = Mapping[str, Measure]


def measure_name(instrument: Instrument, scale_id: str) -> str:
    """"PHQ-9" for an instrument with one outcome scale; the scale's own label when it has several."""
    outcome_scales = [sid for sid, scale in instrument.scales.items() if scale.outcome is not None]
    if len(outcome_scales) == 1:
        return instrument.id.upper()
    return instrument.text(instrument.scales[scale_id].label, instrument.languages[0]) or scale_id


def highest_total(instrument: Instrument, scale_id: str) -> float | None:
    """The largest total a scale can have: the sum (or, for a mean, the largest) of its items' maxima."""
    scale = instrument.scales[scale_id]
    tops = [instrument.item(item).max for item in scale.items]
    if not tops or any(top is None for top in tops):
        return None
    return float(sum(tops) if scale.scoring == "sum" else max(tops))  # type: ignore[arg-type]


def build_measures(rows: Iterable[tuple[int, datetime.date, Instrument, Mapping[str, object]]]) -> dict[str, Measure]:
    """Measures from (session number, day, instrument, scores) rows, any order: one per outcome scale
    with rules; unscored totals (None) are left out, never read as zero."""
    found: dict[str, tuple[str, OutcomeRules, float | None, dict[int, Score]]] = {}
    for number, day, instrument, scores in rows:
        for scale_id, scale in instrument.scales.items():
            total = scores.get(scale_id)
            if scale.outcome is None or isinstance(total, bool) or not isinstance(total, int | float):
                continue
            if scale_id not in found:  # named and bounded once per scale, not once per answer
                name, top = measure_name(instrument, scale_id), highest_total(instrument, scale_id)
                found[scale_id] = (name, scale.outcome, top, {})
            *_, by_session = found[scale_id]
            by_session[number] = Score(number, day, float(total))
    return {
        scale_id: Measure(scale_id, name, rules, tuple(by_session[n] for n in sorted(by_session)), top)
        for scale_id, (name, rules, top, by_session) in sorted(found.items())
    }
