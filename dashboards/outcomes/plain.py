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
from dashboards.outcomes.series import Measure, band_text
from feedback.instruments.outcomes import DETERIORATION, IMPROVEMENT, is_case
from feedback.phrases import Listed, Localised, Num, Phrase, phrase
from feedback.translatable import N_

#: What each questionnaire asks about, as a patient would say it; other measures go by their name.
ABOUT = {"phq9": N_("Mood"), "gad7": N_("Worry and anxiety")}


@dataclass(frozen=True)
class MeasureReview:
    title: Phrase | str  # "Mood (PHQ-9)"
    sentences: tuple[Phrase, ...]


@dataclass(frozen=True)
class AllianceReview:
    sentence: Phrase


def review_measure(m: Measure) -> MeasureReview:
    """What one questionnaire's answers say so far."""
    title: Phrase | str = m.name
    if m.scale in ABOUT:
        title = phrase(N_("%(about)s (%(name)s)"), about=Phrase(ABOUT[m.scale]), name=m.name)
    first, latest = m.first, m.latest
    if first is None or latest is None:
        return MeasureReview(title, (Phrase(N_("Not answered yet.")),))
    said = [phrase(N_("Your first score was %(score)s, after session %(number)s."), score=_score(m, first.total),
                   number=first.session_number)]
    found = change(m)
    if found is None:
        said.append(Phrase(N_("This is your first answer: a change can be seen from the next one.")))
    else:
        said.append(phrase(N_("Your latest score is %(score)s, after session %(number)s."),
                           score=_score(m, latest.total), number=latest.session_number))
        if m.rules.reliable_change is not None:
            said.append(_direction(found, m.rules.reliable_change))
    cutoff, worse = m.rules.caseness, m.rules.higher_is == "worse"
    if cutoff is not None:
        where = (N_("in that range") if is_case(m.rules, latest.total) else
                 N_("below it") if worse else N_("above it"))
        said.append(phrase(N_("Scores of %(cutoff)s or more are in the range where services usually offer treatment "
                              "for this; your latest score is %(where)s.") if worse else
                           N_("Scores of %(cutoff)s or less are in the range where services usually offer treatment "
                              "for this; your latest score is %(where)s."), cutoff=Num(cutoff), where=Phrase(where)))
    return MeasureReview(title, tuple(said))


def chart_caption(measures: Sequence[Measure]) -> Phrase:
    """The review chart's caption: which way is better, by each questionnaire's own direction."""
    lower = [m.name for m in measures if m.rules.higher_is == "worse"]
    higher = [m.name for m in measures if m.rules.higher_is != "worse"]
    if not higher or not lower:
        return Phrase(N_("Your scores by session; a higher questionnaire score means things are going better")
                      if higher else
                      N_("Your scores by session; a lower questionnaire score means fewer difficulties"))
    return phrase(N_("Your scores by session; on the %(lower)s a lower score means fewer difficulties, on the "
                     "%(higher)s a higher score means things are going better"),
                  lower=Listed(tuple(lower)), higher=Listed(tuple(higher)))


def review_alliance(points: Sequence[tuple[int, datetime.date, float]]) -> AllianceReview:
    """The patient's own ratings of working together (1 to 5), first and latest, without judging them."""
    if not points:
        return AllianceReview(Phrase(N_("You have not rated a session yet.")))
    (n1, _, v1), (n2, _, v2) = points[0], points[-1]
    if len(points) == 1:
        return AllianceReview(phrase(N_("You rated session %(number)s %(score)s out of 5."), number=n1,
                                     score=Num(v1, 1)))
    return AllianceReview(phrase(N_("You rated session %(first)s %(first_score)s out of 5, and your latest rating, "
                                    "after session %(latest)s, was %(latest_score)s."),
                                 first=n1, first_score=Num(v1, 1), latest=n2, latest_score=Num(v2, 1)))


def _score(m: Measure, total: float) -> Phrase:
    named = band_text(m.rules, total)
    return phrase(N_("%(total)s (%(band)s)"), total=Num(total),
                  band=Localised(tuple((language, text.lower()) for language, text in named.texts)))


def _direction(c: Change, size: float) -> Phrase:
    if c.direction == IMPROVEMENT:
        return phrase(N_("That is a clear improvement: a change of %(size)s points or more is bigger than the ordinary "
                         "ups and downs of answering a questionnaire."), size=Num(size))
    if c.direction == DETERIORATION:
        return phrase(N_("Your score has gone up by %(size)s points or more, more than ordinary ups and downs explain. "
                         "This is worth talking about together.") if c.points > 0 else
                      N_("Your score has gone down by %(size)s points or more, more than ordinary ups and downs "
                         "explain. This is worth talking about together."), size=Num(size))
    return phrase(N_("The change so far is smaller than %(size)s points, within the ordinary ups and downs of "
                     "answering a questionnaire, so it does not show a clear change yet."), size=Num(size))
