"""Managing a treatment: add or correct a session (attendance creates the questionnaires), a fresh link
for an unanswered form, a failed SMS sent again, the treatment ended; and a new patient.

Treating therapist and the clinic's directors only (`guards.managed_patient`). Each form is checked
on the server; a form with problems comes back with a 422, the input kept and each problem named.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields import SelectChoice

from dashboards.access import roles_required
from dashboards.access.policy import TREATING_ROLES
from dashboards.risk.store import local_today
from dashboards.therapist import operations
from dashboards.therapist.blueprint import bp
from dashboards.therapist.forms import AddPatientForm, EndTreatmentForm, FreshLinkForm, MessageForm, SessionForm
from dashboards.therapist.guards import managed_patient
from dashboards.therapist.operations import NewPatient, TreatmentError
from dashboards.therapist.templating import viewer_zone
from dashboards.therapist.wording import ATTENDANCE_WORDS, fresh_link_done
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.links import patient_languages
from feedback.models import Invitation, Patient, TherapySession, User, utcnow, within_session_years
from feedback.models.outbox import OutboxMessage
from feedback.sessions import next_session_number
from feedback.translatable import N_


def form_page(form: FlaskForm, *, heading: str, action: str, submit: str, back: tuple[str, str],
               intro: tuple[str, ...] = (), error: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "dashboards/therapist/form_page.html", form=form, heading=heading, action=action, submit=submit,
        back_url=back[0], back_words=back[1], intro=intro, error=error,
    ), status


def to_patient(patient: Patient, anchor: str | None = None) -> ResponseReturnValue:
    return redirect(url_for("dashboards.patient", code=patient.code, _anchor=anchor), code=303)


def back_to(patient: Patient) -> tuple[str, str]:
    return url_for("dashboards.patient", code=patient.code), _("Back to %(code)s", code=patient.code)


def _session_or_404(patient: Patient, number: int) -> TherapySession:
    session = db.session.scalar(
        select(TherapySession).where(TherapySession.patient_id == patient.id, TherapySession.number == number)
    )
    if session is None:
        abort(404)
    return session


# --- sessions -----------------------------------------------------------------------------------

SESSION_INTRO = (
    N_("Times are in the clinic's time zone. Marking a session attended creates the patient's and your "
       "post-session questionnaires; the patient's goes out by SMS if they agreed to it, otherwise you "
       "hand over its link from the patient's page."),
)

ENDED = N_("This treatment has ended: no new sessions can be added. Earlier sessions can still be corrected.")


@bp.route("/patients/<code>/sessions/new", methods=["GET", "POST"])
@managed_patient
def new_session(patient: Patient) -> ResponseReturnValue:
    form = SessionForm()
    page: dict[str, Any] = {
        "heading": _("Add session %(number)s for %(code)s", number=next_session_number(patient), code=patient.code),
        "action": url_for("dashboards.new_session", code=patient.code), "submit": N_("Save the session"),
        "back": back_to(patient), "intro": SESSION_INTRO,
    }
    if patient.status != "active":
        return form_page(form, error=_(ENDED), status=422 if form.is_submitted() else 200, **page)
    if not form.is_submitted():
        now = utcnow().astimezone(viewer_zone())
        form.day.data, form.start.data = now.date(), time(now.hour)
        return form_page(form, **page)
    if not form.validate():
        return form_page(form, status=422, **page)
    try:
        session = operations.add_session(patient, form.entry(viewer_zone()))
    except TreatmentError as exc:
        return form_page(form, error=str(exc), status=422, **page)
    flash(_("Session %(number)s was saved (%(attendance)s).", number=session.number,
            attendance=_(ATTENDANCE_WORDS.get(session.attendance, session.attendance)).lower()))
    return to_patient(patient, f"session-{session.number}")


@bp.route("/patients/<code>/sessions/<int:number>", methods=["GET", "POST"])
@managed_patient
def edit_session(patient: Patient, number: int) -> ResponseReturnValue:
    session = _session_or_404(patient, number)
    form = SessionForm()
    page: dict[str, Any] = {
        "heading": _("Session %(number)s of %(code)s", number=session.number, code=patient.code),
        "action": url_for("dashboards.edit_session", code=patient.code, number=number), "submit": N_("Save changes"),
        "back": back_to(patient), "intro": SESSION_INTRO,
    }
    if not form.is_submitted():
        if within_session_years(session.starts_at):  # else a slip from before the check: left blank to correct
            local = session.starts_at.astimezone(viewer_zone())
            form.day.data, form.start.data = local.date(), local.time().replace(second=0, microsecond=0)
        form.duration_minutes.data, form.attendance.data = session.duration_minutes, session.attendance
        return form_page(form, **page)
    if not form.validate():
        return form_page(form, status=422, **page)
    try:
        operations.change_session(session, form.entry(viewer_zone()))
    except TreatmentError as exc:
        return form_page(form, error=str(exc), status=422, **page)
    flash(_("Session %(number)s was saved.", number=session.number))
    return to_patient(patient, f"session-{session.number}")


# --- links and messages -------------------------------------------------------------------------


@bp.post("/patients/<code>/sessions/<int:number>/fresh-link")
@managed_patient
def fresh_link(patient: Patient, number: int) -> ResponseReturnValue:
    session = _session_or_404(patient, number)
    form = FreshLinkForm()
    if not form.validate():
        abort(422, " ".join(str(message) for messages in form.errors.values() for message in messages))
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.session_id == session.id, Invitation.respondent == form.respondent.data)
    )
    if invitation is None:
        abort(404)
    if invitation.respondent == "therapist" and session.therapist_id != current_user.id:
        abort(403)  # a therapist's own form: only they fill it in
    try:
        sent = operations.fresh_link(invitation, send_now=form.when.data == "now", link_expires=form.replacing())
    except TreatmentError as exc:
        flash(str(exc))
        return to_patient(patient, f"session-{number}")
    flash(fresh_link_done(number, invitation.respondent, sent, utcnow(), viewer_zone()))
    return to_patient(patient, f"session-{number}")


@bp.post("/patients/<code>/messages/<int:outbox_id>")
@managed_patient
def message_action(patient: Patient, outbox_id: int) -> ResponseReturnValue:
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == outbox_id, OutboxMessage.patient_id == patient.id)
    )
    if message is None:
        abort(404)
    form = MessageForm()
    if not form.validate():
        abort(400, _("Choose to send the message again or to confirm that it arrived."))
    done = operations.message_action(message, form.action.data or "")
    if not done:
        flash(_("That message had changed in the meantime; nothing was done. Its current state is shown below."))
    elif form.action.data == "resend":
        flash(_("The message will be sent again (outside quiet hours)."))
    else:
        flash(_("Noted: the message arrived."))
    return to_patient(patient, "messages")


# --- ending a treatment -------------------------------------------------------------------------


@bp.route("/patients/<code>/end", methods=["GET", "POST"])
@managed_patient
def end_treatment(patient: Patient) -> ResponseReturnValue:
    form = EndTreatmentForm()
    page: dict[str, Any] = {
        "heading": _("End the treatment of %(code)s", code=patient.code),
        "action": url_for("dashboards.end_treatment", code=patient.code), "submit": N_("End the treatment"),
        "back": back_to(patient),
        "intro": (N_("Its answers and flags stay visible; no new sessions can be added afterwards. "
                     "The clinic's figures count dropouts by this reason."),),
    }
    if not form.is_submitted():
        form.ended_on.data = local_today(patient.clinic.timezone, utcnow())
        return form_page(form, **page)
    if not form.validate():
        return form_page(form, status=422, **page)
    try:
        assert form.ended_on.data is not None
        operations.end_treatment(patient, form.reason.data or "", form.ended_on.data)
    except TreatmentError as exc:
        return form_page(form, error=str(exc), status=422, **page)
    flash(_("The treatment of %(code)s has ended.", code=patient.code))
    return to_patient(patient)


# --- a new patient ------------------------------------------------------------------------------


def _add_patient_form() -> AddPatientForm:
    form = AddPatientForm(therapist_id=current_user.id)  # a director's own caseload unless they choose another
    if current_user.role == "director":
        clinicians = db.session.scalars(
            select(User).where(User.clinic_id == current_user.clinic_id, User.role.in_(TREATING_ROLES),
                               User.active.is_(True)).order_by(User.display_name)
        ).all()
        form.therapist_id.choices = [SelectChoice(u.id, u.display_name or u.email) for u in clinicians]
    else:
        del form.therapist_id  # a therapist adds patients to their own caseload
    form.use_languages(patient_languages())
    if not form.is_submitted():
        form.language.data = current_user.clinic.language  # the clinic's default, unless the patient reads another
    return form


@bp.route("/new-patient", methods=["GET", "POST"])
@roles_required(*TREATING_ROLES)
def new_patient() -> ResponseReturnValue:
    form = _add_patient_form()
    page: dict[str, Any] = {
        "heading": N_("Add a patient"), "action": url_for("dashboards.new_patient"), "submit": N_("Add the patient"),
        "back": (url_for("dashboards.home"), N_("Back to the caseload")),
        "intro": (N_("Use the clinic's pseudonymous code, never a name. The mobile number and the e-mail address "
                     "are stored encrypted and used only to send questionnaire links, if the patient agreed."),),
    }
    if not form.is_submitted():
        return form_page(form, **page)
    if not form.validate():
        return form_page(form, status=422, **page)
    therapist = current_user._get_current_object()
    if "therapist_id" in form:
        therapist = db.session.get(User, form.therapist_id.data)  # one of the choices: checked by validate()
    entry = NewPatient(form.code.data or "", therapist, form.mobile.data or "", form.sms_consent.data,
                       form.language.data or "", form.email.data or "", form.email_consent.data)
    try:
        patient = operations.add_patient(entry)
    except TreatmentError as exc:
        return form_page(form, error=str(exc), status=422, **page)
    flash(_("%(code)s was added. Add their first session when it has taken place.", code=patient.code))
    return redirect(url_for("dashboards.patient", code=patient.code), code=303)
