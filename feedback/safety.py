"""The patient side of the safety pathway (docs/safety.md): raising a safety alert in the answer's
own transaction, and the words a patient reads about getting help now.

The survey calls `raise_alerts` where it stores an outcome answer, before its commit, so the
alert cannot be lost when the patient leaves before the thank-you page. The clinician side shows,
e-mails and escalates the alert (`dashboards/safety/`), and learns of it from the
`safety_alert_raised` signal (this side may not import that one).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from feedback.crisis_lines import default_crisis_text, emergency_notice
from feedback.extensions import db
from feedback.i18n import page_language, translated_in
from feedback.instruments.model import Instrument
from feedback.models import Clinic, OutcomeResponse, Patient, SafetyAlert, utcnow
from feedback.phones import region_for_zone
from feedback.signals import safety_alert_raised


def raise_alerts(
    response: OutcomeResponse, instrument: Instrument, patient_id: int, *, now: datetime | None = None
) -> list[SafetyAlert]:
    """One safety alert per risk item answered above its minimum (PHQ-9 item 9: any answer but
    "Not at all"), added to the caller's transaction (flushed, not committed).

    Raised when the answer was given (`response.submitted_at`, else `now`), so a clinic's
    clock of clinic hours starts with the answer. The same response raises each alert once (a
    unique key), and the clinician side's receivers of `safety_alert_raised` add their rows
    (the audit trail's) to the same transaction.
    """
    raised_at = response.submitted_at or now or utcnow()
    alerts = [SafetyAlert(patient_id=patient_id, response=response, item_id=item_id, value=value,
                          created_at=raised_at) for item_id, value in risk_answers(instrument, response.answers)]
    if alerts:
        db.session.add_all(alerts)
        db.session.flush()  # ids, for the receivers' rows
        patient = db.session.get_one(Patient, patient_id)  # the signal carries the model (audit rows name it)
        for alert in alerts:
            safety_alert_raised.send(alert, patient=patient)
    return alerts


def risk_answers(instrument: Instrument, answers: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Each risk item answered above its minimum, as (item id, value): what raises an alert."""
    found = []
    for item in instrument.risk_items:
        value = answers.get(item.id)
        # bool is an int in Python, and a yes/no answer is never a risk item's (the loader refuses it)
        if isinstance(value, int) and not isinstance(value, bool) and value > (item.min or 0):
            found.append((item.id, value))
    return found


def crisis_text_for(clinic: Clinic, language: str) -> str:
    """The crisis text the patient reads after a risk answer: the clinic's own in this language,
    else the clinic's own in another language (it knows its local services best), else the
    default for the clinic's country (`feedback/crisis_lines.py`)."""
    own = clinic.crisis_text or {}
    text = own.get(language) or next((t for t in own.values() if t.strip()), "")
    if text.strip():
        return text.strip()
    return default_crisis_text_in(clinic, language)


def default_crisis_text_in(clinic: Clinic, language: str) -> str:
    """The default for the clinic's country, as a patient reading in `language` reads it."""
    return translated_in(language, default_crisis_text(region_for_zone(clinic.timezone)))


def not_monitored_notice(clinic: Clinic) -> str:
    """What every patient form says before its first question: the answers are not read as they
    arrive, and what to do in an emergency in the clinic's country (in the page's language)."""
    return _notice(region_for_zone(clinic.timezone), page_language())


@functools.lru_cache(maxsize=256)  # countries × languages; the catalogs do not change while a process runs
def _notice(region: str | None, language: str) -> str:
    # Translated on every survey page, it was about a twentieth of the page's work in the app (bench/RESULTS.md).
    return translated_in(language, emergency_notice(region))
