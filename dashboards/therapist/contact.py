"""Changing how a patient is reached during a treatment: their language, mobile number and SMS
consent, e-mail address and e-mail consent, and the channel their links go by; and, for a patient
who unsubscribed from the e-mails and asked the clinic for them again, lifting that.

The treating therapist and the clinic's directors (`guards.managed_patient`); the same fields and
rules as the new-patient form (`forms.ContactFields`, `setup.operations.check_contact`). The GET
shows the stored number and address (decrypted for this page only) so they can be corrected.
"""

from __future__ import annotations

from typing import Any

from flask import flash, url_for
from flask.typing import ResponseReturnValue

from dashboards.setup.operations import phone_cipher
from dashboards.therapist import operations
from dashboards.therapist.blueprint import bp
from dashboards.therapist.forms import ContactForm
from dashboards.therapist.guards import audit_view, managed_patient
from dashboards.therapist.manage import back_to, form_page, to_patient
from dashboards.therapist.operations import Contact, TreatmentError
from feedback.i18n import gettext as _
from feedback.links import patient_languages
from feedback.models import Patient
from feedback.translatable import N_

CONTACT_INTRO = (
    N_("The mobile number and the e-mail address are stored encrypted and used only to send questionnaire links, "
       "if the patient agreed. Messages still waiting go the way you choose here, and are cancelled if no way "
       "is left; a new e-mail address is tried again even if the old one bounced."),
)


@bp.route("/patients/<code>/contact", methods=["GET", "POST"])
@managed_patient
def change_contact(patient: Patient) -> ResponseReturnValue:
    form = ContactForm()
    form.use_languages(patient_languages())
    if patient.email_opted_out_at is None:
        del form.email_resume, form.email_unsubscribed  # nothing to lift: the box is neither shown nor read
    page: dict[str, Any] = {
        "heading": _("How %(code)s is reached", code=patient.code),
        "action": url_for("dashboards.change_contact", code=patient.code), "submit": N_("Save changes"),
        "back": back_to(patient), "intro": CONTACT_INTRO,
    }
    if not form.is_submitted():
        _fill(form, patient)
        return form_page(form, **page)
    if not form.validate():
        audit_view(patient)  # the page shown again holds the patient's number and address
        return form_page(form, status=422, **page)
    resume = "email_resume" in form and form.email_resume.data
    if resume and form.email_unsubscribed.data != (shown_now := _unsubscribed(patient)):
        # They unsubscribed again after the page was opened: that is newer than what they told the clinic.
        form.email_resume.data, form.email_unsubscribed.data = False, shown_now
        audit_view(patient)
        return form_page(form, status=422, error=_("The patient unsubscribed again after this page was opened. "
                                                   "Ask them before ticking the box again."), **page)
    entry = Contact(form.mobile.data or "", form.sms_consent.data, form.email.data or "", form.email_consent.data,
                    form.language.data or "", form.channel.data or "",
                    resume_email=resume)
    try:
        changed = operations.change_contact(patient, entry)
    except TreatmentError as exc:
        audit_view(patient)
        return form_page(form, error=str(exc), status=422, **page)
    flash(_("The contact details of %(code)s were saved.", code=patient.code) if changed
          else _("Nothing had changed."))
    return to_patient(patient)


def _fill(form: ContactForm, patient: Patient) -> None:
    cipher = phone_cipher()
    form.mobile.data = cipher.decrypt(patient.phone_encrypted) if patient.phone_encrypted is not None else ""
    form.email.data = cipher.decrypt(patient.email_encrypted) if patient.email_encrypted is not None else ""
    form.sms_consent.data, form.email_consent.data = patient.sms_consent, patient.email_consent
    form.language.data, form.channel.data = patient.language, patient.preferred_channel
    if "email_unsubscribed" in form:
        form.email_unsubscribed.data = _unsubscribed(patient)


def _unsubscribed(patient: Patient) -> str:
    """The moment of the patient's e-mail unsubscribe, as the page carries it."""
    return patient.email_opted_out_at.isoformat() if patient.email_opted_out_at is not None else ""
