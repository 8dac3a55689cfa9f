"""Enforcing the policy in views: deny by default, one decorator per kind of protected view.

- `protect(bp)`: every view of the blueprint needs a signed-in clinician unless marked `@public`.
- `@roles_required("director", "admin")`: other roles get 404.
- `@patient_view("view_patient")`: the route's `<code>` becomes the `patient` argument, if the policy
  lets the current user see it (404 otherwise, exactly as for a patient that does not exist),
  and an audit row records the access. The refusal is recorded too (`deny_patient`).
- `@audited("view_accounts")`: an audit row for a view that shows no single patient.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from dashboards.access import policy
from dashboards.audit import audit
from feedback.extensions import db, login_manager
from feedback.models import Patient, User
from feedback.text_hygiene import printable

View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Mark a view of a protected blueprint as open to anonymous visitors (sign-in pages)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def protect(bp: Blueprint) -> None:
    @bp.before_request
    def require_sign_in() -> ResponseReturnValue | None:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "public", False) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()


def _require_sign_in() -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())


def roles_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _require_sign_in()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


#: A code longer than the column, or with a character that is not printable, names no patient
#: (and is never sent to the database: PostgreSQL refuses NUL in a query).
CODE_MAX = Patient.code.type.length or 32


def _well_formed(code: str) -> bool:
    return len(code) <= CODE_MAX and code.isprintable()


def patient_or_404(code: str) -> Patient:
    """The patient with this code that the current user may see, else 404 (never 403), recorded."""
    patient = None
    if _well_formed(code):
        patient = db.session.scalars(policy.visible_patients(current_user).where(Patient.code == code)).first()
    if patient is None:
        _record_denial(code)
        abort(404)
    return patient


def _record_denial(code: str) -> None:
    """Who tried which code, committed on its own: the 404's teardown rolls the request back.

    Whatever the request had changed before is dropped first (it fails anyway). The patient is
    named only when the code is one of the user's own clinic, so nothing is said about another.
    """
    db.session.rollback()
    if not current_user.is_authenticated:
        return
    same_clinic = None
    if _well_formed(code):
        same_clinic = db.session.scalar(
            select(Patient).where(Patient.clinic_id == current_user.clinic_id, Patient.code == code)
        )
    tried = printable(code[:CODE_MAX])
    audit("deny_patient", patient=same_clinic, detail=f"{request.method} {request.endpoint}, code {tried}")
    db.session.commit()


def user_or_404(user_id: int) -> User:
    """An account the current user may manage, else 404."""
    user = db.session.scalars(policy.manageable_users(current_user).where(User.id == user_id)).first()
    if user is None:
        abort(404)
    return user


def patient_view(action: str = "view_patient") -> Callable[[View], View]:
    """Load `<code>` through the policy, audit the access, and call the view with `patient`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(code: str, **kwargs: Any) -> Any:
            _require_sign_in()
            patient = patient_or_404(code)
            _record(action, patient)
            return view(patient, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def audited(action: str) -> Callable[[View], View]:
    """Record that the current user opened this view; for pages and data without one patient.
    Put it below `roles_required`, so only views that are shown are recorded."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _record(action)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _record(action: str, patient: Patient | None = None) -> None:
    audit(action, patient=patient, detail=f"{request.method} {request.endpoint}")
    db.session.commit()
