"""Routes that change a treatment: the patient comes through the access policy like any patient view,
and only those the policy lets manage it (the treating therapist, the clinic's directors) get further.

A colleague the patient is shared with sees the patient but gets 403 here; anyone else gets 404,
exactly as for a patient that does not exist. A GET (a form showing the patient) is audited as a
view; a POST is audited by the operation it calls, with its change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user

from dashboards.access import patient_or_404
from dashboards.access.policy import can_share_patient
from dashboards.audit import audit
from feedback.extensions import db
from feedback.models import Patient

View = TypeVar("View", bound=Callable[..., Any])


def can_manage_treatment(user: Any, patient: Patient) -> bool:
    """Who records sessions, hands over links, writes guidance notes and ends the treatment.

    The policy's rule for deciding who else sees a patient is the same people: the treating
    therapist and the clinic's directors (`access.policy.can_share_patient`).
    """
    return can_share_patient(user, patient)


def managed_patient(view: View) -> View:
    """Like `access.patient_view`, for views that change the treatment: `<code>` becomes `patient`."""

    @wraps(view)
    def wrapped(code: str, **kwargs: Any) -> Any:
        patient = patient_or_404(code)
        if not can_manage_treatment(current_user, patient):
            abort(403)  # they may see the patient (shared with them), but not change the treatment
        if request.method == "GET":
            audit_view(patient)
        return view(patient, **kwargs)

    return wrapped  # type: ignore[return-value]


def audit_view(patient: Patient) -> None:
    """Record that this request shows the patient's data (a form page, or a form sent back with a 422)."""
    audit("view_patient", patient=patient, detail=f"{request.method} {request.endpoint}")
    db.session.commit()
