"""A clinic's data as FHIR resources, read by streamed queries (`yield_per`: a server-side cursor
on PostgreSQL), so a big clinic's export never sits in memory. `start_fhir_export` audits the
export before the first byte; views and the command call it, never `clinic_entries` directly."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib.metadata import PackageNotFoundError, version

from flask import current_app
from sqlalchemy import ColumnElement, and_, select, true

from dashboards.audit import audit
from dashboards.fhir import observations, responses, systems
from dashboards.fhir.bundle import Entry, bundle_chunks
from dashboards.fhir.questionnaire import questionnaire, questionnaire_id
from dashboards.risk.models import RiskEvent
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.registry import registry
from feedback.models import Clinic, Invitation, OutcomeResponse, Patient, Response, TherapySession, User, utcnow

CHUNK = 500  # rows fetched per round trip
#: (operator, moment): a bound on a response's submission time (the API's `authored` search).
Bound = tuple[str, datetime]
COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Selection:
    """What one export holds: one patient or all, sessions dated within [since, until] (the clinic's dates)."""

    patient_code: str | None = None
    since: date | None = None
    until: date | None = None
    observations: bool = False
    #: The clinic opted in to naming practitioners by e-mail (never the default).
    practitioner_emails: bool = False

    def describe(self) -> str:
        """For the audit row: what was asked for, no clinical content."""
        parts = [f"patient {self.patient_code}" if self.patient_code else "all patients"]
        if self.since or self.until:
            parts.append(f"sessions {self.since or '…'} to {self.until or '…'}")
        parts += ["with observations"] * self.observations + ["with practitioner e-mails"] * self.practitioner_emails
        return "FHIR bundle, " + ", ".join(parts)


def clinic_context(clinic: Clinic, *, emails: bool = False) -> responses.Clinic:
    clinic_systems = systems.ClinicSystems.of(systems.installation(current_app.config), clinic.id)
    practitioners = {
        user_id: (systems.EMAIL_SYSTEM, email) if emails else (clinic_systems.practitioner, str(user_id))
        for user_id, email in db.session.execute(select(User.id, User.email).where(User.clinic_id == clinic.id))
    }
    return responses.Clinic(clinic_systems, clinic.zone, practitioners)


def start_fhir_export(clinic: Clinic, actor: User | None, selection: Selection, now: datetime,
                      detail_prefix: str = "") -> Iterator[str]:
    """Audit the export (committed now, before any data leaves) and return the Bundle's text."""
    audit("export_clinic_fhir", actor=actor, clinic_id=clinic.id, detail=detail_prefix + selection.describe())
    db.session.commit()
    return bundle_chunks(clinic_entries(clinic, selection), now=now)


def clinic_entries(clinic: Clinic, selection: Selection) -> Iterator[Entry]:
    context = clinic_context(clinic, emails=selection.practitioner_emails)
    known = registry().all()
    if selection.observations:
        yield systems.CODE_SYSTEM, observations.code_system(known, app_version())
    yield from questionnaires()
    patients = and_(Patient.clinic_id == clinic.id,
                    Patient.code == selection.patient_code if selection.patient_code else true())
    in_range = _session_dates(clinic, selection.since, selection.until)
    for code, therapist_id, status, end_reason, ended_on in db.session.execute(
        select(Patient.code, Patient.therapist_id, Patient.status, Patient.end_reason, Patient.ended_on)
        .where(patients).order_by(Patient.code).execution_options(yield_per=CHUNK)
    ):
        yield responses.episode(context, code, therapist_id, status, end_reason, ended_on)
    for row in db.session.execute(_sessions().where(patients, in_range).execution_options(yield_per=CHUNK)):
        yield responses.encounter(context, responses.Session(*row))
    yield from response_entries(context, patients, in_range, with_scores=selection.observations)
    if selection.observations:
        yield from _flag_entries(context, patients, in_range)


def response_entries(
    context: responses.Clinic, *conditions: ColumnElement[bool], authored: Sequence[Bound] = (),
    with_scores: bool = False,
) -> Iterator[Entry]:
    """QuestionnaireResponses (and their score Observations) of the sessions matching `conditions`:
    every alliance form sent, then every outcome measure answered; `authored` bounds the submission time."""
    yield from _alliance_entries(context, conditions, authored, with_scores)
    yield from _outcome_entries(context, conditions, authored, with_scores)


def _alliance_entries(context: responses.Clinic, conditions: Sequence[ColumnElement[bool]],
                      authored: Sequence[Bound], with_scores: bool) -> Iterator[Entry]:
    """Every alliance form sent: answered, still open or expired unanswered."""
    instrument, now = _instruments(), utcnow()

    def answered(session: responses.Session, row: Sequence) -> responses.Answered:
        respondent, instrument_id, instrument_version, expires_at, answers, scores, submitted_at, language = row
        return responses.Answered(
            session, respondent, instrument(instrument_id, instrument_version),
            answers if submitted_at is not None else None, submitted_at, expires_at > now, scores, language=language,
        )

    query = _answered_sessions(
        (Invitation.respondent, Invitation.instrument_id, Invitation.instrument_version, Invitation.expires_at,
         Response.answers, Response.scores, Response.submitted_at, Response.language),
        Response, conditions, authored, outer=True,
    ).order_by(Invitation.respondent)
    yield from _response_entries(context, query, answered, with_scores)


def _outcome_entries(context: responses.Clinic, conditions: Sequence[ColumnElement[bool]],
                     authored: Sequence[Bound], with_scores: bool) -> Iterator[Entry]:
    """Each outcome measure's answers (always complete: a row exists only once its page was sent),
    in the order they were answered, which is the order an import stores them again."""
    instrument = _instruments()

    def answered(session: responses.Session, row: Sequence) -> responses.Answered:
        respondent, instrument_id, instrument_version, answers, scores, submitted_at, language = row
        return responses.Answered(session, respondent, instrument(instrument_id, instrument_version), answers,
                                  submitted_at, open=False, scores=scores, outcome_measure=True, language=language)

    query = _answered_sessions(
        (Invitation.respondent, OutcomeResponse.instrument_id, OutcomeResponse.instrument_version,
         OutcomeResponse.answers, OutcomeResponse.scores, OutcomeResponse.submitted_at, OutcomeResponse.language),
        OutcomeResponse, conditions, authored,
    ).order_by(OutcomeResponse.id)
    yield from _response_entries(context, query, answered, with_scores)


def _answered_sessions(columns: Sequence[ColumnElement], answers: type[Response] | type[OutcomeResponse],
                       conditions: Sequence[ColumnElement[bool]], authored: Sequence[Bound], outer: bool = False):
    """The sessions with their invitations and one kind of answers (`answers`' columns after the session's)."""
    query = _sessions().add_columns(*columns).join(Invitation, Invitation.session_id == TherapySession.id)
    joined = query.outerjoin if outer else query.join
    return joined(answers, answers.invitation_id == Invitation.id).where(
        *conditions, *_bounded(answers.submitted_at, authored)
    ).execution_options(yield_per=CHUNK)


def _response_entries(context: responses.Clinic, query, answered: Callable[..., responses.Answered],
                      with_scores: bool) -> Iterator[Entry]:
    """A QuestionnaireResponse per row (the session's six columns, then the answers'), and its scores."""
    for row in db.session.execute(query):
        found = answered(responses.Session(*row[:6]), row[6:])
        yield responses.questionnaire_response(context, found)
        if with_scores and found.answers is not None:
            yield from observations.score_observations(context, found)


def _bounded(column: ColumnElement[datetime], authored: Sequence[Bound]) -> list[ColumnElement[bool]]:
    return [COMPARE[op](column, moment) for op, moment in authored]


def _sessions():
    return (
        select(Patient.code, TherapySession.number, TherapySession.starts_at, TherapySession.duration_minutes,
               TherapySession.attendance, TherapySession.therapist_id)
        .join(Patient, Patient.id == TherapySession.patient_id)
        .order_by(Patient.code, TherapySession.number)
    )


def _flag_entries(context: responses.Clinic, *conditions: ColumnElement[bool]) -> Iterator[Entry]:
    query = (
        select(Patient.code, RiskEvent.code, RiskEvent.subject, RiskEvent.severity, RiskEvent.session_number,
               TherapySession.starts_at, RiskEvent.current, RiskEvent.reason, RiskEvent.first_seen_at)
        .join(Patient, Patient.id == RiskEvent.patient_id)
        .outerjoin(TherapySession, and_(TherapySession.patient_id == RiskEvent.patient_id,
                                        TherapySession.number == RiskEvent.session_number))
        .where(*conditions)
        .order_by(Patient.code, RiskEvent.session_number, RiskEvent.key)
        .execution_options(yield_per=CHUNK)
    )
    for code, event, subject, severity, number, starts_at, current, reason, first_seen_at in db.session.execute(query):
        day = starts_at.astimezone(context.zone).date() if starts_at is not None else None
        flag = observations.FlagRow(code, event, subject, severity, number, day, current, reason, first_seen_at)
        yield observations.flag_observation(context, flag)


def _session_dates(clinic: Clinic, since: date | None, until: date | None) -> ColumnElement[bool]:
    """Sessions on the clinic's dates since..until, both included (a flag without a session stays in)."""
    zone, condition = clinic.zone, true()
    if since is not None:
        condition = and_(condition, TherapySession.starts_at >= datetime.combine(since, time(0), zone))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(0), zone)
        condition = and_(condition, TherapySession.starts_at < end)
    return condition


def _instruments() -> Callable[[str, str], Instrument]:
    cache: dict[tuple[str, str], Instrument] = {}

    def get(instrument_id: str, instrument_version: str) -> Instrument:
        key = (instrument_id, instrument_version)
        if key not in cache:
            cache[key] = registry().get(instrument_id, instrument_version)
        return cache[key]

    return get


def questionnaires(url: str | None = None, wanted_version: str | None = None) -> Sequence[Entry]:
    """The Questionnaires of every instrument version known here, optionally one url (and version)."""
    return [
        (f"{systems.CANONICAL}/Questionnaire/{questionnaire_id(i)}", questionnaire(i))  # fullUrl: base/type/id
        for i in registry().all()
        if (url is None or systems.questionnaire_url(i.id) == url) and wanted_version in (None, i.version)
    ]


def questionnaire_by_id(resource_id: str) -> dict | None:
    return next((questionnaire(i) for i in registry().all() if questionnaire_id(i) == resource_id), None)


def app_version() -> str:
    try:
        return version("alliance-monitor")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


def export_filename(clinic: Clinic, now: datetime) -> str:
    day = now.astimezone(clinic.zone).date().isoformat()
    return f"fhir-clinic{clinic.id}-{day}.json"
