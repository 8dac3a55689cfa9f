"""Outcomes of a clinic's ended treatments in a chosen period, for its director and, for their own
patients only, each therapist: the NHS Talking Therapies rates with counts and 95% Wilson intervals,
England's published rates beside them, and dropout by whether the patient was deteriorating.

Per therapist the figures are counts with intervals, listed by name: never ranked, never a score
(docs/outcomes.md). Two queries whatever the clinic's size: the ended treatments, their outcome answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from dashboards.calibration.outcomes import wilson
from dashboards.clinic_stats import Rate
from dashboards.outcomes import classify
from dashboards.outcomes.reference import NHS_TALKING_THERAPIES, Reference
from dashboards.outcomes.tally import RATE_KINDS, Ended, Tally, tally
from dashboards.risk.outcome_series import load_outcomes
from feedback.extensions import db
from feedback.models import Clinic, Patient, User
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

#: The default period: the last year, as the national figures are annual (project choice).
DEFAULT_DAYS = 365
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_BAD_START = N_("The period's start must be a date written as YYYY-MM-DD, such as %(example)s.")
_BAD_END = N_("The period's end must be a date written as YYYY-MM-DD, such as %(example)s.")
#: Below this many treatments in a rate's denominator the page says the figure may be chance (as the
#: calibration page: director.SMALL_GROUP).
SMALL = 20


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def read_period(args: Mapping[str, str], today: date) -> tuple[Period, list[Phrase]]:
    """The period asked for in `from` and `to` (YYYY-MM-DD), else the last year; and what was wrong
    (phrases, said in the reader's language where shown)."""
    default = Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    problems: list[Phrase] = []
    days = {}
    for key, wrong, fallback in (("from", _BAD_START, default.start), ("to", _BAD_END, default.end)):
        text = (args.get(key) or "").strip()
        days[key] = fallback
        if not text:
            continue
        try:
            if not ISO_DAY.fullmatch(text):
                raise ValueError
            days[key] = date.fromisoformat(text)
        except ValueError:
            problems.append(phrase(wrong, example=fallback.isoformat()))
    if not problems and days["from"] > days["to"]:
        problems.append(phrase(N_("The period's start is after its end.")))
    return (default, problems) if problems else (Period(days["from"], days["to"]), [])


@dataclass(frozen=True)
class Share:
    """One rate: count of total, its 95% Wilson interval, and England's published rate (None: none)."""

    kind: str
    rate: Rate
    low: float
    high: float
    reference: float | None = None

    @classmethod
    def of(cls, kind: str, counted: tuple[int, int], reference: float | None = None) -> Share:
        return cls(kind, Rate(*counted), *wilson(*counted), reference)

    @property
    def small(self) -> bool:
        return 0 < self.rate.total < SMALL


@dataclass(frozen=True)
class OutcomeFigures:
    period: Period
    tally: Tally
    shares: tuple[Share, ...]  # RATE_KINDS, in order
    dropout_deteriorated: Share
    dropout_not_deteriorated: Share
    reference: Reference


@dataclass(frozen=True)
class TherapistOutcomes:
    """One clinician's ended treatments: counts with intervals, no reference, no rank."""

    user_id: int
    name: str
    figures: OutcomeFigures


def figures(treatments: list[Ended], period: Period, reference: Reference = NHS_TALKING_THERAPIES) -> OutcomeFigures:
    counted = tally(treatments)
    return OutcomeFigures(
        period=period, tally=counted,
        shares=tuple(Share.of(kind, counted.of(kind), reference.rates.get(kind)) for kind in RATE_KINDS),
        dropout_deteriorated=Share.of("dropout", counted.deteriorated),
        dropout_not_deteriorated=Share.of("dropout", counted.not_deteriorated),
        reference=reference,
    )


def ended_treatments(clinic_id: int, period: Period, therapist_id: int | None = None) -> dict[int, list[Ended]]:
    """The clinic's treatments ended in the period (one therapist's, if given), classified by their
    first and last outcome answers, by therapist id."""
    query = (select(Patient.id, Patient.therapist_id, Patient.end_reason, Clinic.timezone)
             .join(Clinic, Clinic.id == Patient.clinic_id)
             .where(Patient.clinic_id == clinic_id, Patient.status == "ended",
                    Patient.ended_on >= period.start, Patient.ended_on <= period.end))
    if therapist_id is not None:
        query = query.where(Patient.therapist_id == therapist_id)
    rows = db.session.execute(query).all()
    series = load_outcomes([r.id for r in rows], {r.id: r.timezone for r in rows})
    found: dict[int, list[Ended]] = {}
    for pid, tid, reason, _ in rows:
        outcome = classify(series.get(pid, {}).values())
        found.setdefault(tid, []).append(Ended(outcome, dropped_out=reason == "dropped_out"))
    return found


def clinic_outcomes(clinic_id: int, period: Period) -> tuple[OutcomeFigures, list[TherapistOutcomes]]:
    """The clinic's figures, and each clinician's who ended a treatment in the period, by name."""
    by_therapist = ended_treatments(clinic_id, period)
    people_rows = db.session.execute(select(User.id, User.display_name, User.email)
                                     .where(User.id.in_(list(by_therapist)))).all() if by_therapist else []
    names = {uid: display or email for uid, display, email in people_rows}
    everyone = [t for found in by_therapist.values() for t in found]
    people = sorted(by_therapist, key=lambda uid: ((names.get(uid) or "").casefold(), uid))
    return figures(everyone, period), [TherapistOutcomes(uid, names.get(uid) or "", figures(by_therapist[uid], period))
                                       for uid in people]


def own_outcomes(user: User, period: Period) -> OutcomeFigures:
    """A clinician's own ended treatments only."""
    return figures(ended_treatments(user.clinic_id, period, user.id).get(user.id, []), period)
