"""The clinician side of the safety pathway (docs/safety.md): a safety alert, raised on the patient
side in the answer's own transaction (`feedback/safety.py`), heads the therapist's home, the
patient page and the director's overview until a clinician acknowledges it; the worker e-mails
it at once and escalates it to the directors after the clinic's hours.

The modules: `alerts.py` (what the pages show), `operations.py` (acknowledging, the settings),
`forms.py` and `views.py` (the pages), `settings.py` (the settings page's explanations),
`notify.py` (the worker job), `claims.py` (exactly once), `message.py` (the e-mails),
`clinic_hours.py` (the escalation clock), `setup.py` (wiring it into the app).
"""
