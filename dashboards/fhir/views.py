"""The read-only FHIR API under /fhir: the CapabilityStatement, the Questionnaires, and search of
QuestionnaireResponses. Behind the dashboards' own sign-in and access policy: a therapist finds
their patients' responses, a director the clinic's, nobody another clinic's. Answers are
`application/fhir+json`; a problem is an OperationOutcome with the right status, never a page."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from dashboards.access import patient_or_404, visible_patient_ids
from dashboards.audit import audit
from dashboards.fhir.bundle import MEDIA_TYPE, bundle_chunks
from dashboards.fhir.export import app_version, clinic_context, questionnaire_by_id, questionnaires, response_entries
from dashboards.fhir.search import SearchError, capability_statement, outcome, parse_response_search
from dashboards.stream_blocks import in_blocks
from feedback.errors import http_error_page
from feedback.extensions import db
from feedback.i18n import translated
from feedback.models import Patient, utcnow
from feedback.phrases import Phrase

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


def fhir_json(resource: dict, status: int = 200) -> Response:
    return Response(json.dumps(resource, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)


@bp.before_request
def require_sign_in() -> ResponseReturnValue | None:
    """An API answers 401 with an OperationOutcome; it never redirects to the sign-in page."""
    if current_user.is_authenticated:
        return None
    return fhir_json(outcome("error", "login", "sign in to the dashboards first: this API uses the same sign-in"), 401)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> ResponseReturnValue:
    code = {404: "not-found", 405: "not-supported"}.get(exc.code or 500, "processing")
    message = "no such resource, or not one you may see" if exc.code == 404 else (exc.description or exc.name)
    if isinstance(message, Phrase):  # the input checks' refusal of a query (feedback/text_edges.py)
        message = translated(message)
    return fhir_json(outcome("error", code, message), exc.code or 500)


def unrouted(exc: HTTPException) -> ResponseReturnValue:
    """A path under /fhir/ that matches no route (/fhir/Patient, a NUL in an id) never reaches the
    blueprint's handler: answer it as the API would, and anything else with the app's page."""
    return http_error(exc) if request.path.startswith(bp.url_prefix + "/") else http_error_page(exc)


def register_unrouted(app: Flask) -> None:
    for error in (NotFound, MethodNotAllowed):
        app.register_error_handler(error, unrouted)


@bp.get("/metadata")
def metadata() -> ResponseReturnValue:
    return fhir_json(capability_statement(utcnow(), app_version(), request.url_root.rstrip("/") + "/fhir"))


@bp.get("/Questionnaire")
def questionnaire_search() -> ResponseReturnValue:
    unknown = sorted(set(request.args) - {"url", "version"})
    if unknown:
        return fhir_json(outcome("error", "not-supported", f"unknown search parameter {unknown[0][:40]!r}"), 400)
    entries = questionnaires(request.args.get("url"), request.args.get("version"))
    return Response(in_blocks(bundle_chunks(entries, now=utcnow(), search=True)), mimetype=MEDIA_TYPE)


@bp.get("/Questionnaire/<resource_id>")
def questionnaire_read(resource_id: str) -> ResponseReturnValue:
    found = questionnaire_by_id(resource_id)
    if found is None:
        return fhir_json(outcome("error", "not-found", "no Questionnaire with this id"), 404)
    return fhir_json(found)


@bp.get("/QuestionnaireResponse")
def response_search() -> ResponseReturnValue:
    try:
        search = parse_response_search(request.args.to_dict(flat=False))
    except SearchError as exc:
        return fhir_json(outcome("error", "invalid", str(exc)), 400)
    context = clinic_context(current_user.clinic)
    conditions = [Patient.id.in_(visible_patient_ids(current_user))]
    patient = None
    if search.subject_code is not None:
        if search.subject_system not in (None, context.systems.patient):
            return fhir_json(outcome("error", "not-found", "no such patient, or not one you may see"), 404)
        patient = patient_or_404(search.subject_code)  # 404 (and the refusal recorded) unless visible
        conditions.append(Patient.id == patient.id)
    audit("search_responses_fhir", patient=patient, detail=f"GET {request.full_path[:150]}")
    db.session.commit()
    entries = response_entries(context, *conditions, authored=search.authored)
    bundle = bundle_chunks(entries, now=utcnow(), search=True)
    return Response(stream_with_context(in_blocks(bundle)), mimetype=MEDIA_TYPE)
