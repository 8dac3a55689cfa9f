"""What the patient page shows, gathered in a fixed handful of queries: the header facts, the chart
tables, the event history, the guidance panel with its notes, and every session with both sides'
answers as text (question wording from the instrument version each form was answered with)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dashboards.caseload import SEVERITY_ORDER, CaseloadRow, caseload
from dashboards.charts.outcome import measures_in_order, outcome_chart
from dashboards.charts.outcome_table import outcome_table
from dashboards.charts.patient import SCALES, patient_charts
from dashboards.charts.points import scale_items
from dashboards.charts.table import ChartTable, chart_table
from dashboards.flags import PatientHistory, Thresholds
from dashboards.guidance import RUPTURE_CODES, Guidance, guidance_from_history, is_concern
from dashboards.risk.histories import load_histories
from dashboards.risk.models import RiskEvent
from dashboards.risk.store import local_today, thresholds
from dashboards.therapist.addressed import ITEM as ADDRESSED
from dashboards.therapist.models import GuidanceNote
from dashboards.therapist.wording import answer_text
from feedback.delivery import staff
from feedback.delivery.planner import FreshLinkTiming, fresh_link_timing
from feedback.delivery.timing import Send, sends_of
from feedback.extensions import db
from feedback.i18n import page_language
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry
from feedback.invitations import link_token
from feedback.links import session_instruments
from feedback.models import Invitation, Patient, Response, TherapySession, User


def load_history(patient: Patient, now: datetime) -> PatientHistory:
    return load_histories([patient.id], session_instruments()["patient"], now)[patient.id]


#: The outcome trend's key among the patient page's figures (its data-chart-key).
OUTCOMES = "outcomes"


def chart_figures(patient: Patient, now: datetime) -> dict[str, dict[str, Any]]:
    """The four charts of the patient page (alliance, bond, task, goal) as plotly.js figures, and the
    outcome trend beside the alliance once the patient has answered an outcome questionnaire."""
    instruments = session_instruments()
    history, as_of = load_history(patient, now), local_today(patient.clinic.timezone, now)
    figures = patient_charts(history, items=scale_items(instruments["patient"], instruments["therapist"]),
                             thresholds=thresholds(), as_of=as_of)
    if measures_in_order(history, as_of):
        figures[OUTCOMES] = outcome_chart(history, as_of=as_of)
    return figures


@dataclass(frozen=True)
class Answer:
    item_id: str
    question: str
    answer: str
    free_text: bool  # typed by the respondent: shown as text, line breaks kept


@dataclass(frozen=True)
class Form:
    """One side's questionnaire for one session."""

    invitation: Invitation
    state: str  # "answered" | "open" | "expired"
    values: Mapping[str, object]  # the stored answers, item id -> value
    answers: tuple[Answer, ...]  # the same as question and answer text, in the form's order
    scores: Mapping[str, float | None]
    delivery: staff.InvitationDelivery | None  # how an open patient form reaches the patient (managers only)
    own_token: str | None  # the viewer's own open form: its link, to fill it in now
    fresh_link: FreshLinkTiming | None = None  # when a fresh link's SMS would go (managers, unanswered patient forms)

    @property
    def respondent(self) -> str:
        return self.invitation.respondent

    def answer(self, item_id: str) -> Answer | None:
        return next((a for a in self.answers if a.item_id == item_id), None)


@dataclass(frozen=True)
class SessionRow:
    session: TherapySession
    patient: Form | None
    therapist: Form | None

    @property
    def rupture_by(self) -> str | None:
        """Who reported tension in this session: "patient", "therapist", "both" or None."""
        said = [f.respondent for f in (self.patient, self.therapist) if f and f.values.get("rupture") is True]
        return "both" if len(said) == 2 else said[0] if said else None


@dataclass(frozen=True)
class PatientPage:
    patient: Patient
    summary: CaseloadRow  # the header: sessions so far, last session and answer, response rate, risk, flags
    tables: dict[str, ChartTable]  # the charts' text alternatives, by scale
    outcomes: ChartTable | None  # the outcome trend's text alternative; None before any outcome answer
    events: list[RiskEvent]  # every stored event, newest session first
    since: datetime | None  # "new" = first seen after this
    guidance: Guidance | None
    concerns: list[RiskEvent]  # the current rupture and decline flags the guidance panel answers
    followed_up: tuple[int, Answer] | None  # the therapist's latest "was it addressed?" answer (session, answer)
    notes: list[GuidanceNote]
    sessions: list[SessionRow]  # newest first
    problems: list[staff.Problem]  # this patient's SMS that failed or may not have arrived
    can_manage: bool

    def is_new(self, event: RiskEvent) -> bool:
        return event.is_new_since(self.since)


def patient_page(patient: Patient, viewer: User, now: datetime, *, since: datetime | None,
                 can_manage: bool) -> PatientPage:
    limits = thresholds()
    as_of = local_today(patient.clinic.timezone, now)
    history = load_history(patient, now)
    events = _events(patient)
    sessions = session_rows(patient, viewer, now, with_delivery=can_manage)
    found = guidance(events, history, limits)
    concerns = [e for e in events if is_concern(e)]
    problems = []
    if can_manage:
        unsent = staff.needs_attention(patient.clinic_id, therapist_id=patient.therapist_id, now=now)
        problems = [p for p in unsent if p.patient_id == patient.id]
    return PatientPage(
        patient=patient,
        summary=caseload(Patient.id == patient.id, now, since)[0],
        tables={scale: chart_table(history, scale, as_of=as_of, thresholds=limits) for scale in SCALES},
        outcomes=outcome_table(history, as_of=as_of) if measures_in_order(history, as_of) else None,
        events=events,
        since=since,
        guidance=found,
        concerns=concerns,
        followed_up=_followed_up(sessions, concerns),
        notes=_notes(patient),
        sessions=sessions,
        problems=problems,
        can_manage=can_manage,
    )


def current_guidance(patient: Patient, now: datetime) -> Guidance | None:
    """What the guidance panel shows now (a note records which flag it answered)."""
    return guidance(_events(patient), load_history(patient, now), thresholds())


def guidance(events: Sequence[RiskEvent], history: PatientHistory, limits: Thresholds) -> Guidance | None:
    """The guidance panel. While a rupture is current, its session's answers decide the kind: a
    decline flagged at a later session (often the same strain, seen in the scores) has no rupture
    answers to read the kind from. Otherwise the latest rupture or decline decides."""
    ruptures = [e for e in events if is_concern(e) and e.code in RUPTURE_CODES]
    return guidance_from_history(ruptures or events, history, limits)


def _notes(patient: Patient) -> list[GuidanceNote]:
    return list(db.session.scalars(
        select(GuidanceNote).options(joinedload(GuidanceNote.author))
        .where(GuidanceNote.patient_id == patient.id)
        .order_by(GuidanceNote.created_at.desc(), GuidanceNote.id.desc())
    ))


def _events(patient: Patient) -> list[RiskEvent]:
    events = list(db.session.scalars(select(RiskEvent).where(RiskEvent.patient_id == patient.id)))
    events.sort(key=lambda e: (e.session_number is not None, -(e.session_number or 0),
                               not e.current, SEVERITY_ORDER.get(e.severity, 3), e.code))
    return events


def _followed_up(sessions: Sequence[SessionRow], concerns: Sequence[RiskEvent]) -> tuple[int, Answer] | None:
    """The newest "did you address it?" answer given after the first session with a current concern."""
    first = min((e.session_number for e in concerns if e.session_number is not None), default=None)
    if first is None:
        return None
    for row in sessions:  # newest first
        if row.session.number <= first:
            break
        answer = row.therapist.answer(ADDRESSED) if row.therapist else None
        if answer is not None:
            return row.session.number, answer
    return None


def session_rows(patient: Patient, viewer: User, now: datetime, *, with_delivery: bool) -> list[SessionRow]:
    """Every session, newest first, with both forms (two queries, plus one per open patient form
    whose delivery a manager sees, and one for the patient's SMS if a fresh link can be sent)."""
    sessions = db.session.scalars(
        select(TherapySession).where(TherapySession.patient_id == patient.id).order_by(TherapySession.number.desc())
    ).all()
    found = db.session.execute(
        select(Invitation, Response)
        .join(TherapySession, TherapySession.id == Invitation.session_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(TherapySession.patient_id == patient.id)
    ).all()
    forms: dict[tuple[int, str], Form] = {}
    sends: list[Send] | None = None
    for invitation, response in found:
        form = _form(invitation, response, viewer, now, with_delivery)
        if with_delivery and form.state != "answered" and form.respondent == "patient" and patient.status != "ended":
            sends = sends_of(patient.id) if sends is None else sends
            form = replace(form, fresh_link=fresh_link_timing(invitation, now=now, sends=sends))
        forms[(invitation.session_id, invitation.respondent)] = form
    return [SessionRow(s, forms.get((s.id, "patient")), forms.get((s.id, "therapist"))) for s in sessions]


def _form(invitation: Invitation, response: Response | None, viewer: User, now: datetime,
          with_delivery: bool) -> Form:
    state = "answered" if response is not None else "open" if now < invitation.expires_at else "expired"
    instrument = _instrument(invitation)
    delivery = None
    if state == "open" and invitation.respondent == "patient" and with_delivery:
        delivery = staff.invitation_delivery(invitation, now=now)
    own = state == "open" and invitation.respondent == "therapist" and invitation.session.therapist_id == viewer.id
    return Form(
        invitation=invitation,
        state=state,
        values=response.answers if response is not None else {},
        answers=_answers(instrument, response.answers) if response is not None else (),
        scores=response.scores if response is not None else {},
        delivery=delivery,
        own_token=link_token(invitation) if own else None,
    )


def _instrument(invitation: Invitation) -> Instrument | None:
    try:
        return registry().get(invitation.instrument_id, invitation.instrument_version)
    except LookupError:  # an instrument file a clinic has since removed: show the item ids
        return None


def _answers(instrument: Instrument | None, values: Mapping[str, object]) -> tuple[Answer, ...]:
    if instrument is None:
        return tuple(Answer(k, k, str(v), isinstance(v, str)) for k, v in values.items())
    # The question as the reader reads it, when the form has their language; else the form's first.
    language = page_language() if page_language() in instrument.languages else instrument.languages[0]
    return tuple(
        Answer(item.id, instrument.text(item.text, language), answer_text(item, values[item.id], instrument, language),
               item.type == "text")
        for item in instrument.items
        if item.id in values and values[item.id] not in ("", None, [])
    )
