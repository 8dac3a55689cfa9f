"""The audit trail's page says what happened in the reader's language (dashboards/audit/actions.py);
the stored code stays for the CSV export and the filter's address."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from dashboards.audit import audit
from dashboards.audit.actions import NAMES
from dashboards.audit.sms import EMAIL_STOPPED
from dashboards.therapist.operations import MESSAGE_ACTIONS
from feedback.delivery.inbound import Keyword
from feedback.extensions import db
from tests.director.conftest import speaks

ROOT = Path(__file__).resolve().parents[2]
#: An action code written out where it is recorded: audit("…"), @audited("…"), @patient_view("…"),
#: audit("…" if … else "…"), and the safety alert's e-mails (`return "safety_alert_…"`).
WRITTEN = re.compile(r'(?:\baudit|@audited|@patient_view)\(\s*"([a-z0-9_]+)"(?: if .* else "([a-z0-9_]+)")?'
                     r'|return "(safety_alert_[a-z_]+)"')


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for source in [*(ROOT / "dashboards").rglob("*.py"), *(ROOT / "feedback").rglob("*.py")]:
        for match in WRITTEN.finditer(source.read_text(encoding="utf-8")):
            found.update(code for code in match.groups() if code)
    # The ones put together from a value: sms_<keyword>, sms_<staff's action>, how e-mail stopped.
    found.update(f"sms_{keyword}" for keyword in get_args(Keyword))
    found.update(f"sms_{action}" for action in MESSAGE_ACTIONS)
    found.update(action for action, _ in EMAIL_STOPPED.values())
    return found


def test_every_action_the_code_records_has_a_name():
    recorded = recorded_actions()
    assert len(recorded) > 60  # the scan finds them
    assert recorded - NAMES.keys() == set()


def test_the_page_names_the_actions_in_the_readers_language_and_filters_by_code(clinics, as_user):
    audit("view_patient", patient=clinics.patients["A-HIGH"], actor=clinics.director)
    audit("2fa_enrolled", actor=clinics.director)
    audit("no_longer_recorded", actor=clinics.director)  # a code an older version wrote: shown as it is
    db.session.commit()
    english = as_user(speaks(clinics.director, None)).get("/clinic/audit").text
    assert '<td data-label="What">Viewed a patient</td>' in english
    assert '<option value="view_patient">Viewed a patient</option>' in english
    # The filter's choices in the order of their names, not of their codes ("2fa_…" would come first).
    assert english.index('value="2fa_enrolled"') < english.index('value="view_patient"')
    assert english.index('value="no_longer_recorded"') < english.index('value="2fa_enrolled"')
    assert '<td data-label="What">no_longer_recorded</td>' in english
    spanish = as_user(speaks(clinics.director, "es")).get("/clinic/audit?action=view_patient").text
    assert "Consultó un paciente" in spanish and '<option value="view_patient" selected>' in spanish
