"""The safety pathway's pages: acknowledging a safety alert (the form is on the patient page; this
route takes it, and shows it alone when it must be sent back), and the director's safety settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from dashboards.access import patient_or_404, protect, roles_required
from dashboards.audit import audit
from dashboards.safety.alerts import can_acknowledge, open_alerts
from dashboards.safety.forms import SETTING_NAMES, AcknowledgeForm, crisis_field, settings_form
from dashboards.safety.operations import AlreadyAcknowledged, SafetySettings, acknowledge, save_settings
from dashboards.safety.settings import settings_page
from dashboards.therapist.guards import audit_view
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.models import SafetyAlert

bp = Blueprint("safety", __name__)
protect(bp)


@bp.route("/patients/<code>/safety-alerts/<int:alert_id>", methods=["GET", "POST"])
def acknowledge_alert(code: str, alert_id: int) -> ResponseReturnValue:
    patient = patient_or_404(code)  # 404 (recorded) unless the policy lets this clinician see the patient
    alert = db.session.scalar(
        select(SafetyAlert).where(SafetyAlert.id == alert_id, SafetyAlert.patient_id == patient.id))
    if alert is None:
        abort(404)
    if not can_acknowledge(current_user, patient):
        abort(403)  # an admin with break-glass access may see the patient, not act for the clinic
    back = url_for("dashboards.patient", code=patient.code, _anchor="safety")
    if alert.acknowledged_at is not None:
        flash(_("That safety alert was already acknowledged; it is in the patient's safety history."))
        return redirect(back, code=303)
    form, status = AcknowledgeForm(), 200
    if request.method == "POST":
        if form.validate():
            try:
                acknowledge(alert, patient, current_user, form.action.data or "", form.note.data or "")
            except AlreadyAcknowledged:
                flash(_("A colleague acknowledged that safety alert first; it is in the patient's safety history."))
                return redirect(back, code=303)
            flash(_("The safety alert was acknowledged. It stays in the patient's safety history."))
            return redirect(back, code=303)
        status = 422
    line = next((a for a in open_alerts(current_user, patient) if a.id == alert.id), None)
    if line is None:  # acknowledged meanwhile
        return redirect(back, code=303)
    audit_view(patient)  # this page shows the patient's answer
    return render_template(
        "dashboards/therapist/form_page.html",
        heading=_("Acknowledge the safety alert for %(code)s", code=patient.code),
        back_url=back, back_words=_("Patient %(code)s", code=patient.code),
        intro=[_("%(question)s: the patient answered %(answer)s.", question=line.question, answer=line.answer),
               _("Record what was done. The alert leaves the dashboards' banners and stays in the patient's history.")],
        form=form, action=url_for("safety.acknowledge_alert", code=patient.code, alert_id=alert.id),
        submit=_("Acknowledge the safety alert"), error=None,
    ), status


@bp.route("/clinic/safety", methods=["GET", "POST"])
@roles_required("director")
def settings() -> ResponseReturnValue:
    clinic = current_user.clinic
    page = settings_page(clinic)
    form = settings_form(page.languages) if request.method == "POST" else settings_form(
        page.languages, on_call_emails="\n".join(clinic.on_call_emails or []),
        escalate_hours=round(clinic.safety_escalate_hours),
        **{crisis_field(code): (clinic.crisis_text or {}).get(code, "") for code in page.languages},
    )
    if request.method == "POST" and form.validate():
        assert form.escalate_hours.data is not None
        chosen = SafetySettings(form.crisis_texts(list(page.languages)), form.on_call(),
                                float(form.escalate_hours.data))
        changed = save_settings(clinic, chosen, current_user)
        flash(_("Saved: %(what)s.", what=", ".join(str(SETTING_NAMES.get(c, c)) for c in changed))
              if changed else _("Nothing had changed."))
        return redirect(url_for("safety.settings"), code=303)
    audit("view_safety_settings", detail=f"{request.method} {request.endpoint}")
    db.session.commit()
    return render_template(
        "dashboards/therapist/form_page.html", heading=_("Safety settings"), back_url=url_for("director.overview"),
        back_words=_("Clinic overview"), intro=page.intro, form=form, action=url_for("safety.settings"),
        submit=_("Save the safety settings"), error=None,
    ), 422 if request.method == "POST" else 200
