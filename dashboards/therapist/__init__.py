"""The therapist's side of the dashboards: the home page (caseload, own open forms, what is new),
the patient page (charts, event history, sessions and answers, guidance and notes), the patient's
data as JSON and CSV, and the forms that manage a treatment (sessions, attendance, links, ending
it, adding a patient).

Every route is on the blueprint in `blueprint.py`; every write goes through `operations.py`,
every patient through the access policy. Importing this package registers the routes.
"""

from dashboards.therapist import data, home, manage, notes, patient_page, templating  # noqa: F401  (routes)
from dashboards.therapist.blueprint import bp

__all__ = ["bp"]
