"""Forms and steps shared by the battery's tests."""

from __future__ import annotations

from feedback.extensions import db
from feedback.models import Clinic
from tests.conftest import csrf_token_from

#: A whole PHQ-9 as the survey posts it: total 9, item 9 "Not at all".
PHQ9_FORM = {**{f"phq9_{i}": "1" for i in range(1, 10)}, "phq9_9": "0", "phq9_4": "2", "phq9_difficulty": "somewhat"}
#: A whole GAD-7: total 7.
GAD7_FORM = {f"gad7_{i}": "1" for i in range(1, 8)}
BOTH_EVERY_SESSION = [{"instrument": "phq-9", "every": "session"}, {"instrument": "gad-7", "every": "session"}]


def set_clinic_battery(clinic: Clinic, battery: list[dict]) -> None:
    clinic.outcome_battery = battery
    db.session.commit()


def send(client, path: str, form: dict[str, str]):
    """Open a page, then send the form on it, as a phone would."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return client.post(path, data={**form, "csrf_token": csrf_token_from(page.text)})
