"""The battery pages: /clinic/battery (the clinic's directors) and /patients/<code>/battery (the
treating therapist and the clinic's directors, through the access policy like every patient page).
Each form is checked on the server; with problems it comes back with a 422, the input kept."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import roles_required
from dashboards.battery import operations
from dashboards.battery.forms import BatteryForm, ClinicBatteryForm, PatientBatteryForm
from dashboards.battery.wording import described
from dashboards.director import CLINIC_READERS
from dashboards.director import bp as director_bp
from dashboards.speech import say
from dashboards.therapist.blueprint import bp as therapist_bp
from dashboards.therapist.guards import audit_view, managed_patient
from feedback.battery.due import outcome_measures
from feedback.battery.rules import BatteryError, Entry, usable_entries
from feedback.i18n import gettext as _
from feedback.i18n import language_name, page_language
from feedback.links import session_instruments
from feedback.models import Patient
from feedback.translatable import N_

#: How staff read a form's language (`Instrument.translation_status`): a score from a translation
#: nobody validated is read with more care.
TRANSLATION_WORDS = {"original": N_("original"), "validated": N_("validated translation"),
                     "not validated": N_("translation not validated")}


@director_bp.route("/clinic/battery", methods=["GET", "POST"])
@roles_required(*CLINIC_READERS)
def clinic_battery() -> ResponseReturnValue:
    clinic = current_user.clinic
    form = _form(ClinicBatteryForm)
    page: dict[str, Any] = {"heading": _("Outcome measures after the alliance form"),
                            "action": url_for("director.clinic_battery"),
                            "back": (url_for("director.overview"), _("Back to the clinic overview"))}
    if not form.is_submitted():
        form.fill(_entries(clinic.outcome_battery))
        return _page(form, **page)
    if not form.validate():
        return _page(form, status=422, **page)
    try:
        entries = operations.set_clinic_battery(clinic, form.battery(), current_user._get_current_object())
    except BatteryError as exc:
        return _page(form, problems=[say(p) for p in exc.problems], status=422, **page)
    flash(_("The clinic's battery is saved: %(battery)s. It applies to forms opened from now on.",
            battery=described(entries)))
    return redirect(url_for("director.clinic_battery"), code=303)


@therapist_bp.route("/patients/<code>/battery", methods=["GET", "POST"])
@managed_patient
def patient_battery(patient: Patient) -> ResponseReturnValue:
    form = _form(PatientBatteryForm)
    page: dict[str, Any] = {"heading": _("Outcome measures for %(code)s", code=patient.code), "patient": patient,
                            "action": url_for("dashboards.patient_battery", code=patient.code),
                            "back": (url_for("dashboards.patient", code=patient.code),
                                     _("Back to %(code)s", code=patient.code)),
                            "clinic_battery": described(_entries(patient.clinic.outcome_battery))}
    if not form.is_submitted():
        own = patient.outcome_battery
        form.source.data = "clinic" if own is None else "own"
        form.fill(_entries(patient.clinic.outcome_battery if own is None else own))
        return _page(form, **page)
    problems: list[str] = []
    if form.validate():
        own_battery = form.battery() if form.source.data == "own" else None
        try:
            entries = operations.set_patient_battery(patient, own_battery, current_user._get_current_object())
        except BatteryError as exc:
            problems = [say(p) for p in exc.problems]
        else:
            chosen = _("the clinic's battery") if entries is None else described(entries)
            flash(_("%(code)s now answers %(battery)s. It applies to forms opened from now on.", code=patient.code,
                    battery=chosen))
            return redirect(url_for("dashboards.patient", code=patient.code), code=303)
    audit_view(patient)  # the page is shown again, with the input kept
    return _page(form, problems=problems, status=422, **page)


def _form(kind: type[BatteryForm]) -> BatteryForm:
    form = kind()
    language = page_language()
    form.set_measures({i: instrument.text(instrument.title, language) for i, instrument in outcome_measures().items()})
    return form


def _entries(stored: object) -> list[Entry]:
    return usable_entries(stored or [], outcome_measures())


def _page(form: BatteryForm, *, heading: str, action: str, back: tuple[str, str], status: int = 200,
          problems: list[str] | None = None, **extra: Any) -> ResponseReturnValue:
    return render_template("dashboards/battery.html", form=form, heading=heading, action=action,
                           back_url=back[0], back_words=back[1], problems=problems or [],
                           languages=_languages(), **extra), status


def _languages() -> list[tuple[str, list[tuple[str, str]]]]:
    """The patient's form and each outcome measure, with its languages and whether each is validated."""
    language = page_language()
    forms = [session_instruments()["patient"], *outcome_measures().values()]
    return [(form.text(form.title, language),
             [(language_name(code), _(TRANSLATION_WORDS[form.translation_status(code)])) for code in form.languages])
            for form in forms]
