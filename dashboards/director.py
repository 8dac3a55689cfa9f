"""The director's pages: the clinic overview, its chart data and the research export.

Directors of the clinic only (anyone else gets 404, as for a page that does not exist): the
overview names patients, and the access policy lets only directors see every patient of a
clinic (an admin sees patient data only through break-glass, one patient at a time). Each view
reads its figures from `clinic_stats` and `export`; every view and the export are audited.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import audited, protect, roles_required
from dashboards.audit import audit
from dashboards.charts.clinic import END_REASON_STYLE, ended_by_month_chart
from dashboards.charts.clinic_outcomes import outcome_rates_chart
from dashboards.clinic_language import ClinicLanguageForm, set_clinic_language
from dashboards.clinic_stats import clinic_overview
from dashboards.export import export_filename, start_clinic_export
from dashboards.outcome_stats import clinic_outcomes, read_period
from dashboards.risk.store import local_today
from dashboards.speech import say, spoken
from dashboards.stream_blocks import in_blocks
from feedback.delivery.staff import needs_attention
from feedback.extensions import db
from feedback.i18n import current_locale, language_name
from feedback.i18n import gettext as _
from feedback.models import utcnow

bp = Blueprint("director", __name__)
protect(bp)

#: Who sees a whole clinic's patients by name (the policy's director rule).
CLINIC_READERS = ("director",)
#: Below this many ended treatments in a group, the calibration panel warns that differences may be chance.
SMALL_GROUP = 20


@bp.get("/clinic")
@roles_required(*CLINIC_READERS)
@audited("view_clinic_overview")
def overview() -> ResponseReturnValue:
    now = utcnow()
    clinic = current_user.clinic
    figures = clinic_overview(clinic.id, now)
    problems = needs_attention(clinic.id, now=now)
    # Outcomes of the treatments ended in the period asked for (?from=&to=); a bad date is a 422 that
    # names it, with the rest of the overview still shown.
    period, period_problems = read_period(request.args, local_today(clinic.timezone, now))
    outcomes, per_therapist = clinic_outcomes(clinic.id, period) if not period_problems else (None, [])
    return render_template(
        "dashboards/director/overview.html",
        clinic=clinic,
        overview=figures,
        problems=problems,
        reasons={reason: _(name) for reason, (name, _colour, _pattern) in END_REASON_STYLE.items()},
        delivery_words=delivery_words(),
        small_group=SMALL_GROUP,
        period=period,
        period_problems=period_problems,
        outcomes=outcomes,
        per_therapist=per_therapist,
    ), 422 if period_problems else 200


def delivery_words() -> dict[str, str]:
    """The outbox's kinds and statuses in words (the stored values are codes)."""
    return {"invitation": _("Invitation"), "reminder": _("Reminder"), "fresh_link": _("Fresh link"),
            "failed": _("failed"), "undelivered": _("undelivered"), "uncertain": _("uncertain")}


@bp.app_template_filter("decimal2")
def decimal2(value: float) -> str:
    """A figure to two decimals in the page's language ("0.64", "0,64")."""
    return format_decimal(value, format="0.00", locale=current_locale())


@bp.route("/clinic/language", methods=["GET", "POST"])
@roles_required(*CLINIC_READERS)
def clinic_language() -> ResponseReturnValue:
    """The clinic's default language: for everyone who has not chosen their own."""
    clinic = current_user.clinic
    form = ClinicLanguageForm() if request.method == "POST" else ClinicLanguageForm(language=clinic.language)
    if request.method == "POST" and form.validate():
        changed = set_clinic_language(clinic, form.language.data or "", current_user._get_current_object())
        flash(_("The clinic's default language is now %(language)s.", language=language_name(clinic.language))
              if changed else _("Nothing had changed."))
        return redirect(url_for("director.clinic_language"), code=303)
    audit("view_clinic_language", detail=f"{request.method} {request.endpoint}")
    db.session.commit()
    intro = [_("The pages, e-mails and text messages of every clinician and patient who has not chosen a "
               "language of their own are in this language. A clinician chooses their own on My account; "
               "a patient's language is set on their page.")]
    return render_template(
        "dashboards/therapist/form_page.html", heading=_("Clinic language"), back_url=url_for("director.overview"),
        back_words=_("Back to the clinic overview"), intro=intro, form=form, action=url_for("director.clinic_language"),
        submit=_("Save the language"), error=None,
    ), 422 if request.method == "POST" else 200


@bp.get("/clinic/ended.json")
@roles_required(*CLINIC_READERS)
@audited("view_ended_treatments")
def ended_chart() -> ResponseReturnValue:
    """Counts per month and reason only (no patient); recorded all the same, as every view of clinic data."""
    figures = clinic_overview(current_user.clinic_id, utcnow())
    return jsonify(spoken(ended_by_month_chart(figures.ended_by_month)))


@bp.get("/clinic/outcomes.json")
@roles_required(*CLINIC_READERS)
@audited("view_clinic_outcomes")
def outcomes_chart() -> ResponseReturnValue:
    """Rates and intervals of the ended treatments in the period (no patient), with England's reference."""
    clinic = current_user.clinic
    period, problems = read_period(request.args, local_today(clinic.timezone, utcnow()))
    if problems:
        return jsonify(error=" ".join(say(problem) for problem in problems)), 422
    return jsonify(spoken(outcome_rates_chart(clinic_outcomes(clinic.id, period)[0])))


@bp.get("/clinic/export.csv")
@roles_required(*CLINIC_READERS)
def export() -> ResponseReturnValue:
    clinic = current_user.clinic
    lines = start_clinic_export(clinic, current_user._get_current_object())  # audited and committed here
    return Response(
        stream_with_context(in_blocks(lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export_filename(clinic, utcnow())}"'},
    )
