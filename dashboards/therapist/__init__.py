"""The therapist's side of the dashboards: the home page (caseload, own open forms, what is new),
the patient page (charts, event history, sessions and answers, guidance and notes), the review of
progress with the patient (plain words, printable), the clinician's own outcomes, the patient's
data as JSON and CSV, and the forms that manage a treatment (sessions, attendance, links, ending
it, adding a patient).

Every route is on the blueprint in `blueprint.py`; every write goes through `operations.py`,
every patient through the access policy. Importing this package registers the routes.
"""

# Imported for their routes and template words.
from dashboards.therapist import contact, data, home, manage, notes, own_outcomes, patient_page, review, templating  # noqa: F401
from dashboards.therapist.blueprint import bp

__all__ = ["bp"]
