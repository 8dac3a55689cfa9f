"""Who sees what, in one place. Every clinician view goes through these; never check roles by hand.

Lists, charts and exports::

    from dashboards.access import visible_patients, visible_patient_ids
    patients = db.session.scalars(visible_patients(current_user).order_by(Patient.code)).all()
    sessions = select(TherapySession).where(TherapySession.patient_id.in_(visible_patient_ids(current_user)))

A view of one patient (404 if not visible, the access or the refusal recorded, patient passed in)::

    @bp.get("/patients/<code>/chart.json")
    @patient_view("view_patient_data")
    def chart(patient): ...

Pages for some roles only: `@roles_required("director")`; a page or data without one patient is
recorded with `@audited("view_accounts")` below it. A blueprint whose views all need a signed-in
clinician: `protect(bp)` (deny by default; `@public` opts a view out).
"""

from dashboards.access.guards import (
    audited,
    patient_or_404,
    patient_view,
    protect,
    public,
    roles_required,
    user_or_404,
)
from dashboards.access.models import BreakGlassGrant, PatientShare
from dashboards.access.policy import (
    can_share_patient,
    can_view_patient,
    manageable_users,
    visible_patient_ids,
    visible_patients,
)

__all__ = [
    "BreakGlassGrant",
    "PatientShare",
    "audited",
    "can_share_patient",
    "can_view_patient",
    "manageable_users",
    "patient_or_404",
    "patient_view",
    "protect",
    "public",
    "roles_required",
    "user_or_404",
    "visible_patient_ids",
    "visible_patients",
]
