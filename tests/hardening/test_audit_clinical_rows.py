"""An admin sees no patient data, so the audit trail shows them no row whose existence is clinical
(that a patient gave a risk answer); a director sees every row of the clinic."""

from __future__ import annotations

from dashboards.access.policy import CLINICAL_AUDIT_ACTIONS
from dashboards.audit import audit
from feedback.extensions import db


def test_safety_alert_rows_are_for_directors_only(app, world, sign_in_as):
    audit("safety_alert_raised", actor=None, patient=world.patient, detail="phq9_9")
    audit("view_patient", actor=world.own, patient=world.patient)
    db.session.commit()
    pages = {}
    for user in (world.admin, world.director):
        client = app.test_client()
        sign_in_as(client, user)
        pages[user.role] = (client.get("/clinic/audit").text, client.get("/clinic/audit.csv").text,
                            client.get("/clinic/audit?action=safety_alert_raised").status_code)
    admin_page, admin_csv, admin_filter = pages["admin"]
    assert "safety_alert_raised" not in admin_page and "safety_alert_raised" not in admin_csv
    assert "view_patient" in admin_page and admin_filter == 422  # not even offered as a kind of event
    director_page, director_csv, director_filter = pages["director"]
    assert "safety_alert_raised" in director_page and "safety_alert_raised" in director_csv and director_filter == 200
    assert "safety_alert_raised" in CLINICAL_AUDIT_ACTIONS
