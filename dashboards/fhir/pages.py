"""The director's FHIR pages: the clinic's Bundle as a download (audited like the CSV export) and
the import page (a bundle checked whole, written all or nothing, every problem listed).

Their own blueprint, because an upload may be bigger than the app's request limit: the import's
limit (FHIR_IMPORT_MAX_MB) is set before the CSRF check reads the form, and a bigger upload gets
the import page back with the reason, not a bare 413."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from dashboards.access import roles_required
from dashboards.fhir.bundle import MEDIA_TYPE
from dashboards.fhir.export import Selection, export_filename, start_fhir_export
from dashboards.fhir.operations import MB, Matching, import_bundle, import_limit, parse_practitioners, size_problem
from dashboards.speech import say
from dashboards.stream_blocks import in_blocks
from feedback.i18n import gettext as _
from feedback.models import SESSION_YEARS, utcnow, within_session_years
from feedback.text_edges import HygienicForm

bp = Blueprint("fhir_pages", __name__)
DIRECTORS = ("director",)  # who sees a whole clinic's patients (the access policy's director rule)
FORM_ROOM = 64 * 1024  # the form's other fields around the bundle


class ImportForm(HygienicForm):
    bundle = FileField(lazy_gettext("FHIR Bundle (JSON)"))
    accept_systems = TextAreaField(
        lazy_gettext("Patient identifier systems whose values are this clinic's patient codes "
           "(one per line; this clinic's own is always accepted)"),
        validators=[Length(max=4000)],
    )
    practitioners = TextAreaField(lazy_gettext("Practitioners of the bundle and the accounts they are, one per line: "
                                     "system|value=e-mail"), validators=[Length(max=20000)])
    dry_run = BooleanField(lazy_gettext("Only check the bundle; write nothing"))


@bp.url_value_preprocessor
def allow_bundle_uploads(endpoint: str | None, values: dict | None) -> None:
    # Runs before every before_request function, so before the CSRF check parses the form.
    if endpoint == "fhir_pages.import_page" and request.method == "POST":
        request.max_content_length = import_limit(current_app.config) + FORM_ROOM


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    limit = import_limit(current_app.config)
    too_big = size_problem(request.content_length or limit + 1, limit)
    message = say(too_big) if too_big else _("at most %(mb)s MB", mb=round(limit / MB))
    return render_template("dashboards/director/fhir_import.html", form=ImportForm(formdata=None),
                           problems=[message], result=None), 413


@bp.get("/clinic/fhir-export")
@roles_required(*DIRECTORS)
def export() -> ResponseReturnValue:
    args = request.args
    selection = Selection(
        patient_code=args.get("patient") or None,
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        observations=args.get("observations") == "1",
        practitioner_emails=args.get("practitioner_emails") == "1",
    )
    clinic, now = current_user.clinic, utcnow()
    chunks = start_fhir_export(clinic, current_user._get_current_object(), selection, now)  # audited, committed
    return Response(
        stream_with_context(in_blocks(chunks)),
        mimetype=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{export_filename(clinic, now)}"'},
    )


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(422, description=_("%(text)r is not a date written YYYY-MM-DD", text=text[:20]))
    if not within_session_years(day):
        abort(422, description=_("%(text)r: choose a date in the years %(first)s to %(last)s", text=text[:20],
                                 first=SESSION_YEARS[0], last=SESSION_YEARS[1]))
    return day


@bp.route("/clinic/fhir-import", methods=["GET", "POST"])
@roles_required(*DIRECTORS)
def import_page() -> ResponseReturnValue:
    form = ImportForm()
    if request.method == "GET":
        return render_template("dashboards/director/fhir_import.html", form=form, problems=[], result=None)
    if not form.validate_on_submit() or not form.bundle.data:
        problems = [f"{field.label.text}: {error}" for field in form for error in field.errors]
        problems = problems or [_("Choose the bundle's file.")]
        return render_template("dashboards/director/fhir_import.html", form=form, problems=problems, result=None), 422
    practitioners, wrong = parse_practitioners((form.practitioners.data or "").splitlines())
    if wrong:
        return render_template("dashboards/director/fhir_import.html", form=form, problems=wrong, result=None), 422
    accepted = tuple(line.strip() for line in (form.accept_systems.data or "").splitlines() if line.strip())
    result = import_bundle(
        form.bundle.data.read(), clinic_name=current_user.clinic.name, matching=Matching(accepted, practitioners),
        dry_run=form.dry_run.data, actor=current_user._get_current_object(),
    )
    status = 422 if result.problems else 200
    problems = [_("%(where)s: %(problem)s", where=problem.location(), problem=say(problem.phrase))
                for problem in result.problems]
    return render_template("dashboards/director/fhir_import.html", form=form, problems=problems, result=result), status
