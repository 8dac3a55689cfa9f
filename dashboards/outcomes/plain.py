"""A treatment's progress in plain words, for reviewing it with the patient in session.

Only the patient's own answers: their outcome questionnaires and their own rating of the work
together. No therapist ratings, notes or flag names; the words avoid jargon ("a clear change", not
"reliable improvement"), and every number is the questionnaire's own (its bands, cut-off and
reliable-change size from the instrument file). Which way is better is each questionnaire's own
(`higher_is` in its file): caseness and the direction of a change come from
`feedback.instruments.outcomes`, never from assuming that a higher score is worse.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.outcomes.classify import Change, change
from dashboards.outcomes.series import Measure, band_words
from feedback.instruments.outcomes import DETERIORATION, IMPROVEMENT, is_case

#: What each questionnaire asks about, as a patient would say it; other measures go by their name.
ABOUT = {"phq9": "Mood", "gad7": "Worry and anxiety"}


@dataclass(frozen=True)
class MeasureReview:
    title: str  # "Mood (PHQ-9)"
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class AllianceReview:
    sentence: str


def review_measure(m: Measure) -> MeasureReview:
    """What one questionnaire's answers say so far."""
    title = f"{ABOUT[m.scale]} ({m.name})" if m.scale in ABOUT else m.name
    first, latest = m.first, m.latest
    if first is None or latest is None:
        return MeasureReview(title, ("Not answered yet.",))
    said = [f"Your first score was {_score(m, first.total)}, after session {first.session_number}."]
    found = change(m)
    if found is None:
        said.append("This is your first answer: a change can be seen from the next one.")
    else:
        said.append(f"Your latest score is {_score(m, latest.total)}, after session {latest.session_number}.")
        if m.rules.reliable_change is not None:
            said.append(_direction(found, m.rules.reliable_change))
    cutoff, worse = m.rules.caseness, m.rules.higher_is == "worse"
    if cutoff is not None:
        where = "in that range" if is_case(m.rules, latest.total) else "below it" if worse else "above it"
        said.append(f"Scores of {cutoff:g} or {'more' if worse else 'less'} are in the range where services usually "
                    f"offer treatment for this; your latest score is {where}.")
    return MeasureReview(title, tuple(said))


def chart_caption(measures: Sequence[Measure]) -> str:
    """The review chart's caption: which way is better, by each questionnaire's own direction."""
    lower = [m.name for m in measures if m.rules.higher_is == "worse"]
    higher = [m.name for m in measures if m.rules.higher_is != "worse"]
    if not higher or not lower:
        return (f"Your scores by session; a {'higher' if higher else 'lower'} questionnaire score means "
                f"{'things are going better' if higher else 'fewer difficulties'}")
    return (f"Your scores by session; on the {' and '.join(lower)} a lower score means fewer difficulties, on the "
            f"{' and '.join(higher)} a higher score means things are going better")


def review_alliance(points: Sequence[tuple[int, datetime.date, float]]) -> AllianceReview:
    """The patient's own ratings of working together (1 to 5), first and latest, without judging them."""
    if not points:
        return AllianceReview("You have not rated a session yet.")
    (n1, _, v1), (n2, _, v2) = points[0], points[-1]
    if len(points) == 1:
        return AllianceReview(f"You rated session {n1} {v1:.1f} out of 5.")
    return AllianceReview(f"You rated session {n1} {v1:.1f} out of 5, and your latest rating, after session {n2}, "
                          f"was {v2:.1f}.")


def _score(m: Measure, total: float) -> str:
    return f"{total:g} ({band_words(m.rules, total).lower()})"


def _direction(c: Change, size: float) -> str:
    if c.direction == IMPROVEMENT:
        return (f"That is a clear improvement: a change of {size:g} points or more is bigger than the ordinary ups "
                "and downs of answering a questionnaire.")
    if c.direction == DETERIORATION:
        return (f"Your score has gone {'up' if c.points > 0 else 'down'} by {size:g} points or more, more than "
                "ordinary ups and downs explain. This is worth talking about together.")
    return (f"The change so far is smaller than {size:g} points, within the ordinary ups and downs of answering a "
            "questionnaire, so it does not show a clear change yet.")
