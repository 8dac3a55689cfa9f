"""What the director's safety settings page explains around its form: the languages a crisis
text can be written in, the default a patient reads instead, and the clinic hours in force."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from dashboards.safety import clinic_hours
from feedback.i18n import gettext as _
from feedback.links import patient_languages
from feedback.models import Clinic
from feedback.safety import default_crisis_text_in


@dataclass(frozen=True)
class SettingsPage:
    languages: dict[str, str]  # code -> name, the patient form's languages
    intro: list[str]


def settings_page(clinic: Clinic) -> SettingsPage:
    languages = patient_languages()
    hours = current_app.config.get("SAFETY_CLINIC_HOURS") or clinic_hours.DEFAULT
    defaults = " · ".join(f"{name}: “{default_crisis_text_in(clinic, code)}”" for code, name in languages.items())
    return SettingsPage(languages, [
        _("A safety alert is raised when a patient answers a risk question above its lowest answer (PHQ-9 "
          "question 9). The patient then reads the crisis text; the therapist and the on-call addresses are "
          "e-mailed at once; unacknowledged, it goes to the directors after the hours below."),
        _("Left empty, patients read the default for %(clinic)s's country, in their own language: %(defaults)s",
          clinic=clinic.name, defaults=defaults),
        _("Write only what the clinic really offers: nothing here may promise a call-back the clinic does not make."),
        _("Clinic hours, for the escalation clock: %(hours)s, in %(zone)s "
          "(SAFETY_CLINIC_HOURS, set for the whole installation).", hours=hours, zone=clinic.timezone),
    ])
