"""The therapist's side of the dashboards: the home page (caseload, own open forms, what is new),
the patient page (charts, event history, sessions and answers, guidance and notes) and the forms
that manage a treatment (sessions, attendance, links, ending it, adding a patient).

The routes live on the `dashboards` blueprint (`dashboards/pages.py`), one module per page or use
case; every write goes through `operations.py`, every patient through the access policy.
"""
