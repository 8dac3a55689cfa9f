"""The therapist pages' use cases, each one place that commits, each audited with its change.

Views parse and check access, then call one of these. Failures a user can fix raise
`TreatmentError` with a message to show as is; nothing is then left half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dashboards.audit import audit
from dashboards.guidance import Guidance
from dashboards.risk.store import local_today, recompute_patients
from dashboards.setup import operations as setup
from dashboards.speech import say
from dashboards.therapist.models import NOTE_MAX, GuidanceNote, HomeVisit
from dashboards.therapist.wording import ATTENDANCE_WORDS
from feedback.delivery import staff
from feedback.delivery.optout import resume_email
from feedback.delivery.planner import FreshLink, FreshLinkRefused, cancel_open, send_fresh_link
from feedback.delivery.reroute import reroute_queued
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.invitations import LinkCompleted
from feedback.links import link_validity, session_instruments
from feedback.models import END_REASONS, Invitation, Patient, TherapySession, User, utcnow, within_session_years
from feedback.models.outbox import OutboxMessage
from feedback.sessions import SessionError, next_session_number, record_session, set_attendance

#: Attendance a session that has not started yet can have.
FUTURE_ATTENDANCE = ("scheduled", "cancelled", "clinic_cancelled")
# Project choice: a date outside these is a typing slip (a session in year 1 or 9999 broke the
# FHIR export and the director's monthly rows). Older history comes in by import, not this form;
# a session imported from further back keeps its year when it is corrected.
SESSION_YEARS_BACK, SESSION_YEARS_AHEAD = 10, 2


def _session_years(now: datetime) -> tuple[int, int]:
    """The first and the last year a session's date may have."""
    return now.year - SESSION_YEARS_BACK, now.year + SESSION_YEARS_AHEAD


class TreatmentError(ValueError):
    """Input the user can correct; the message is shown as is."""


# --- the home page's "new since your last visit" ------------------------------------------------


def since_last_visit(user_id: int, login_session_id: int | None) -> datetime | None:
    """The end of the user's previous visit: flags first seen after it are new.

    A visit is one sign-in: during it the answer stays the same, so reloading the home page does
    not clear the markers; at the next sign-in, the last home view of this one becomes the mark.
    """
    visit = db.session.get(HomeVisit, user_id)
    if visit is None:
        return None
    return visit.previous_visit_at if visit.login_session_id == login_session_id else visit.last_seen_at


def record_home_visit(user_id: int, login_session_id: int | None, now: datetime) -> None:
    """Note that the home page was shown (after rendering it); commits, with any pending audit row."""
    visit = db.session.get(HomeVisit, user_id)
    if visit is None:
        db.session.add(HomeVisit(user_id=user_id, login_session_id=login_session_id, last_seen_at=now))
    else:
        if visit.login_session_id != login_session_id:
            visit.previous_visit_at, visit.login_session_id = visit.last_seen_at, login_session_id
        visit.last_seen_at = max(visit.last_seen_at, now)
    try:
        db.session.commit()
    except IntegrityError:  # two tabs' first visit at once: the other one recorded it
        db.session.rollback()


# --- guidance notes -----------------------------------------------------------------------------


def add_note(patient: Patient, author: User, guidance: Guidance | None, text: str, *,
             now: datetime | None = None) -> GuidanceNote:
    text = text.strip()
    if not text:
        raise TreatmentError(_("Write a note before saving it."))
    if len(text) > NOTE_MAX:
        raise TreatmentError(_("Keep the note to %(max)s characters at most (it has %(count)s).", max=NOTE_MAX,
                               count=len(text)))
    note = GuidanceNote(
        patient=patient, author=author, text=text, created_at=now or utcnow(),
        session_number=guidance.session_number if guidance else None, kind=guidance.kind if guidance else "",
    )
    db.session.add(note)
    audit("add_guidance_note", patient=patient, detail=f"after session {note.session_number or '-'}")
    db.session.commit()
    return note


# --- sessions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    starts_at: datetime  # aware
    duration_minutes: int
    attendance: str


def _check_session(entry: SessionInput, now: datetime, *, kept_year: int | None = None) -> None:
    """`kept_year`: a corrected session's year as it was, which may stay outside the years a new
    date may have (an imported history reaches further back)."""
    if entry.attendance not in ATTENDANCE_WORDS:
        raise TreatmentError(_("Choose the attendance from the list."))
    first, last = _session_years(now)
    if entry.starts_at.year != kept_year and not first <= entry.starts_at.year <= last:
        raise TreatmentError(_("The session's date must be between %(first)s and %(last)s.", first=first, last=last))
    if entry.starts_at > now and entry.attendance not in FUTURE_ATTENDANCE:
        raise TreatmentError(_("A session that has not started yet can only be scheduled or cancelled."))


def add_session(patient: Patient, entry: SessionInput, *, now: datetime | None = None) -> TherapySession:
    """Record a session; an attended one creates both questionnaires (and plans the patient's SMS)."""
    now = now or utcnow()
    _check_session(entry, now)
    number = next_session_number(patient)
    audit("add_session", patient=patient, detail=f"session {number}, {entry.attendance}")
    try:
        recorded = record_session(
            patient, starts_at=entry.starts_at, attendance=entry.attendance, duration_minutes=entry.duration_minutes,
            instruments=session_instruments(), valid_for=link_validity(), number=number, now=now,
        )
    except SessionError as exc:
        db.session.rollback()
        raise TreatmentError(_sentence(say(exc.message))) from None
    except IntegrityError:
        db.session.rollback()
        raise TreatmentError(_("Another session was added for this patient at the same moment; please check the "
                               "list.")) \
            from None
    return recorded.session


def change_session(session: TherapySession, entry: SessionInput, *, now: datetime | None = None) -> TherapySession:
    """Correct a session's time, length or attendance; becoming attended creates the questionnaires."""
    now = now or utcnow()
    # A stored date outside the years a session may have is a slip to correct, not a year to keep
    # (and converting one at the calendar's ends to the clinic's zone would overflow).
    stored, zone = session.starts_at, entry.starts_at.tzinfo
    _check_session(entry, now, kept_year=stored.astimezone(zone).year if within_session_years(stored) else None)
    if not 5 <= entry.duration_minutes <= 480:
        raise TreatmentError(_("The length must be between 5 and 480 minutes."))
    before = session.attendance
    session.starts_at, session.duration_minutes = entry.starts_at, entry.duration_minutes
    audit("change_session", patient=session.patient,
          detail=f"session {session.number}, {before} -> {entry.attendance}")
    try:
        set_attendance(session, entry.attendance, instruments=session_instruments(), valid_for=link_validity(), now=now)
    except SessionError as exc:
        db.session.rollback()
        raise TreatmentError(_sentence(say(exc.message))) from None
    return session


# --- links and messages -------------------------------------------------------------------------


#: When a fresh link's SMS goes: at the next time every rule allows, or now (if only the daily cap is in the way).
FRESH_LINK_WHEN = ("next", "now")


def fresh_link(invitation: Invitation, *, send_now: bool = False, link_expires: datetime | None = None,
               now: datetime | None = None) -> FreshLink:
    """A new link for an unanswered form (the old one stops working, its queued SMS are cancelled);
    by SMS when the patient gets SMS, now if asked and allowed (`planner.send_fresh_link`)."""
    session = invitation.session
    if session.patient.status == "ended":
        raise TreatmentError(_("The treatment has ended, so its forms get no new links."))
    audit("fresh_link", patient=session.patient, detail=f"session {session.number}, {invitation.respondent} form")
    try:
        return send_fresh_link(invitation, send_now=send_now, link_expires=link_expires, now=now)  # commits, audited
    except LinkCompleted:
        db.session.rollback()
        raise TreatmentError(_("That form has been answered already, so it needs no new link.")) from None
    except FreshLinkRefused as exc:
        db.session.rollback()
        raise TreatmentError(say(exc.message)) from None


MESSAGE_ACTIONS = ("resend", "confirm")


def message_action(message: OutboxMessage, action: str, *, now: datetime | None = None) -> bool:
    """Staff's decision on a failed or uncertain SMS: send it again, or confirm it arrived."""
    if action not in MESSAGE_ACTIONS:
        raise TreatmentError(_("Choose to send the message again or to confirm it arrived."))
    audit(f"sms_{action}", patient=message.patient, detail=f"message {message.id}, was {message.status}")
    if action == "resend":
        return staff.send_again(message.id, now=now)  # commits, with the audit row
    return staff.confirm_sent(message.id, now=now)


# --- ending a treatment, adding a patient -------------------------------------------------------


def end_treatment(patient: Patient, reason: str, ended_on: date, *, now: datetime | None = None) -> None:
    """Mark the treatment ended (completed, dropped out, transferred) and refresh its flags."""
    now = now or utcnow()
    if patient.status == "ended":
        raise TreatmentError(_("This treatment has ended already."))
    if reason not in END_REASONS:
        raise TreatmentError(_("Choose why the treatment ended."))
    if ended_on > local_today(patient.clinic.timezone, now):
        raise TreatmentError(_("The end date cannot be in the future."))
    first = db.session.scalar(select(func.min(TherapySession.starts_at)).where(TherapySession.patient_id == patient.id))
    if first is not None and ended_on < first.astimezone(patient.clinic.zone).date():
        raise TreatmentError(_("The end date cannot be before the treatment's first session."))
    first_year, _last = _session_years(now)
    if ended_on.year < first_year:  # no session yet: the sessions' own bound
        raise TreatmentError(_("The end date must be in %(first)s or later.", first=first_year))
    patient.status, patient.end_reason, patient.ended_on = "ended", reason, ended_on
    audit("end_treatment", patient=patient, detail=f"{reason}, {ended_on.isoformat()}")
    db.session.commit()
    recompute_patients([patient.id], now=now)  # an ended treatment raises no disengagement flag


@dataclass(frozen=True)
class NewPatient:
    code: str
    therapist: User
    mobile: str
    sms_consent: bool
    language: str
    email: str = ""
    email_consent: bool = False


def add_patient(entry: NewPatient, *, now: datetime | None = None) -> Patient:
    try:
        patient = setup.add_patient(
            entry.code.strip(), entry.therapist.clinic, entry.therapist, phone=entry.mobile.strip() or None,
            sms_consent=entry.sms_consent, email=entry.email.strip() or None, email_consent=entry.email_consent,
            language=entry.language, now=now,
        )
    except setup.SetupError as exc:
        db.session.rollback()
        raise TreatmentError(_sentence(str(exc))) from None
    audit("add_patient", patient=patient, detail=f"therapist {entry.therapist.id}")
    db.session.commit()
    return patient


@dataclass(frozen=True)
class Contact:
    mobile: str
    sms_consent: bool
    email: str
    email_consent: bool
    language: str
    channel: str
    resume_email: bool = False  # the patient, unsubscribed, asked the clinic for the e-mails again


def change_contact(patient: Patient, entry: Contact, *, now: datetime | None = None) -> list[str]:
    """Change how the patient is reached: the queued messages follow the patient's channel, or are
    cancelled when none is left (feedback/delivery/reroute.py); a withdrawn channel sends nothing more.
    An e-mail unsubscribe is lifted only when the patient asked for it (`entry.resume_email`); a bounce
    stays until the address changes. Audited with the names of the changed fields, never their values.
    Returns those names."""
    try:
        changed = setup.change_contact(
            patient, phone=entry.mobile.strip() or None, sms_consent=entry.sms_consent,
            email=entry.email.strip() or None, email_consent=entry.email_consent, language=entry.language,
            channel=entry.channel, now=now,
        )
    except setup.SetupError as exc:
        db.session.rollback()
        raise TreatmentError(_sentence(str(exc))) from None
    if entry.resume_email and resume_email(patient.id):  # before the queue follows the channel, e-mail open again
        changed.append("e-mail unsubscribe lifted")
        audit("email_resubscribe", patient=patient, detail="the patient asked the clinic for the e-mails again")
    if changed:
        # What is queued goes the new way first; a row a dispatcher holds on a withdrawn channel is cancelled.
        channel, rerouted = reroute_queued(patient)
        cancelled = sum(cancel_open((OutboxMessage.patient_id == patient.id) & (OutboxMessage.channel == withdrawn),
                                    f"{withdrawn} consent withdrawn")
                        for withdrawn in ("sms", "email") if f"{withdrawn} consent withdrawn" in changed)
        moved = f"; {rerouted} queued message(s) moved to {channel}" if channel and rerouted else ""
        cancelled += 0 if channel else rerouted
        audit("change_contact", patient=patient,
              detail=", ".join(changed) + moved + (f"; {cancelled} queued message(s) cancelled" if cancelled else ""))
    db.session.commit()
    return changed


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
