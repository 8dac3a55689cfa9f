"""What a running clinic leaves beside its sessions and alliance answers, for the benches' clinics:
the SMS each link went by, the outcome measures answered after each alliance form, the safety
alerts they raised, the clinicians' sign-ins, a few patients shared with a colleague and the
therapists' notes on flagged treatments.

Pages read these tables (the delivery status, the outcome charts, the open alerts, the sign-in
check, who may see whom, the notes beside the guidance), so a bench without them measures the
pages on empty tables, and the query plans of `bench/plans.py` read an empty table whole because
that is cheapest. The shapes are project choices for a plausible clinic, not estimates: most
patients by SMS, the PHQ-9 and GAD-7 after every session as NHS Talking Therapies asks them (the
demo clinic's battery), one sign-in per clinician per working day, a note by the therapist on
each treatment of a kind the flags are about. The outcome answers come from the demo's generator,
whose levels and measurement error are the validation harness's sourced figures
(`dashboards/demo/outcomes.py`).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from bench.clinic_rows import Ids, Rows
from dashboards.demo.clinic import battery_measures
from dashboards.demo.outcomes import Course, outcome_answers
from dashboards.flags.history import PatientHistory
from feedback.delivery.schedule import Policy
from feedback.extensions import db
from feedback.instruments.model import Instrument
from feedback.instruments.scoring import score
from feedback.phones import PhoneCipher
from feedback.safety import risk_answers

#: Share of patients who get their links by SMS (the rest by a link their therapist hands over).
SMS_SHARE = 0.8
#: Each treatment kind's outcome course, a project choice: repaired or no ruptures with
#: improvement, a falling bond or repeated ruptures without it, a lost or unrepaired alliance with
#: deterioration.
COURSE_OF_KIND = {
    "noisy_stable": "improving", "stable_high": "improving", "rupture_then_repair": "improving",
    "slow_bond_decline": "not_improving", "repeated_ruptures": "not_improving", "disengagement": "not_improving",
    "sudden_loss": "deteriorating", "unresolved_rupture": "deteriorating",
}
#: Share of patients whose last PHQ-9 answers item 9 above "Not at all" (a safety alert).
RISK_SHARE = 0.03
#: An alert is acknowledged this long after it was raised (younger ones are still open): within
#: the clinic's escalation window (`safety_escalate_hours`, 4 clinic hours by default), so no
#: alert is left overdue for the worker to escalate.
ACKNOWLEDGED_AFTER = timedelta(hours=1)
SHARED_PER_THERAPIST = 3
#: The guidance's kind a therapist's note answers, for the treatment kinds the flags are about (the
#: generator does not say a rupture's kind, so those are "unclear"): one note each, after the
#: latest answered session.
NOTED_KINDS = {"slow_bond_decline": "decline", "sudden_loss": "decline", "unresolved_rupture": "unclear",
               "rupture_then_repair": "unclear", "repeated_ruptures": "unclear"}
NOTE_TEXT = "Raise what the form showed early in the next session; ask how the work feels to them."
#: When an unanswered link's reminder goes: the delivery policy's default.
REMINDER_AFTER = timedelta(hours=Policy().reminder_after_hours)
#: Synthetic numbers (the patient's id after a UK mobile prefix), never sent to: the benches' SMS
#: go to the fake Twilio.
PHONE_PREFIX = "+447700"


@dataclass
class Activity:
    """One clinic's generator of these rows: `patient` for each patient, then its clinicians'."""

    ids: Ids
    rows: Rows
    cipher: PhoneCipher
    now: datetime
    rng: random.Random
    measures: Mapping[str, Instrument] = field(default_factory=battery_measures)

    def patient(self, patient_id: int, therapist_id: int, kind: str, history: PatientHistory, seed: int,
                since: datetime) -> tuple[dict[str, Any], PatientActivity]:
        """The patient row's contact columns (by SMS with consent, or by link), and what the patient's
        links leave behind, the outcome measures following a course after the treatment's kind."""
        by_sms = self.rng.random() < SMS_SHARE
        contact: dict[str, Any] = {}
        if by_sms:
            number = f"{PHONE_PREFIX}{patient_id % 1_000_000:06d}"
            contact = {"phone_encrypted": self.cipher.encrypt(number), "phone_lookup": self.cipher.lookup_hash(number),
                       "sms_consent": True, "sms_consent_at": since, "preferred_channel": "sms"}
        answered = [s.number for s in sorted(history.sessions, key=lambda s: s.number)
                    if s.patient is not None and s.patient.answered]
        course = Course(COURSE_OF_KIND[kind], self.rng.gauss(0, 0.5), risk_at_end=self.rng.random() < RISK_SHARE)
        measures = outcome_answers(course, answered, self.measures, seed=seed)
        if kind in NOTED_KINDS and answered:
            table = db.metadata.tables["guidance_notes"]
            self.rows.add(table, {
                "id": self.ids.take(table), "patient_id": patient_id, "author_id": therapist_id,
                "session_number": answered[-1], "kind": NOTED_KINDS[kind], "text": NOTE_TEXT,
                "created_at": self.now - timedelta(days=1 + patient_id % 7),  # the rng draws stay as they were
            })
        return contact, PatientActivity(self, patient_id, therapist_id, by_sms, measures)

    def sign_ins(self, user_ids: list[int], first: date, zone: ZoneInfo) -> None:
        """Each clinician signs in on each working day from the first session on, and signs out."""
        table = db.metadata.tables["login_sessions"]
        day = first
        while day < self.now.astimezone(zone).date():
            if day.weekday() < 5:
                start = datetime.combine(day, clock(8, 30), zone)
                for user_id in user_ids:
                    self.rows.add(table, {
                        "id": self.ids.take(table), "token_hash": secrets.token_hex(32), "user_id": user_id,
                        "created_at": start, "last_seen_at": start + timedelta(hours=8),
                        "verified_at": start, "second_factor": "totp", "ended_at": start + timedelta(hours=8),
                        "end_reason": "logout", "ip": "192.0.2.10",
                    })
            day += timedelta(days=1)

    def shares(self, caseloads: list[list[int]], therapist_ids: list[int], director_id: int) -> None:
        """Each therapist sees a few of the next one's patients (a co-therapist): the access
        policy's second way in."""
        if len(therapist_ids) < 2:
            return
        table = db.metadata.tables["patient_shares"]
        for n, therapist_id in enumerate(therapist_ids):
            for patient_id in caseloads[(n + 1) % len(therapist_ids)][:SHARED_PER_THERAPIST]:
                self.rows.add(table, {"id": self.ids.take(table), "patient_id": patient_id, "user_id": therapist_id,
                                      "granted_by_id": director_id, "created_at": self.now})


@dataclass
class PatientActivity:
    """One patient's: `history_rows` calls it for each of the patient's links."""

    clinic: Activity
    patient_id: int
    therapist_id: int
    by_sms: bool
    measures: dict[int, list[tuple[Instrument, dict[str, object]]]]

    def messages(self, invitation: dict[str, Any]) -> None:
        """The link's SMS, delivered, and a reminder when it was still unanswered a day later."""
        clinic, table = self.clinic, db.metadata.tables["outbox_messages"]
        sent = invitation["sent_at"]
        kinds = [("invitation", sent)]
        completed = invitation["completed_at"]
        if sent + REMINDER_AFTER < (completed or clinic.now):
            kinds.append(("reminder", sent + REMINDER_AFTER))
        for kind, at in kinds:
            clinic.rows.add(table, {
                "id": clinic.ids.take(table), "invitation_id": invitation["id"], "patient_id": self.patient_id,
                "kind": kind, "round": 0, "channel": "sms", "due_at": at, "status": "delivered", "attempts": 1,
                "provider_id": f"SM{secrets.token_hex(16)}", "last_attempt_at": at, "sent_at": at,
                "created_at": invitation["created_at"],
            })

    def outcome_rows(self, invitation: dict[str, Any], number: int) -> None:
        """The measures answered after the session's alliance form, a minute apart, and the alerts
        they raised (acknowledged by the therapist unless raised within the last hours)."""
        clinic = self.clinic
        table, alerts = db.metadata.tables["outcome_responses"], db.metadata.tables["safety_alerts"]
        for minutes, (instrument, items) in enumerate(self.measures.get(number, ()), start=1):
            response_id = clinic.ids.take(table)
            submitted = min(invitation["completed_at"] + timedelta(minutes=minutes), clinic.now)
            clinic.rows.add(table, {
                "id": response_id, "invitation_id": invitation["id"], "instrument_id": instrument.id,
                "instrument_version": instrument.version, "answers": items, "scores": score(instrument, items),
                "submitted_at": submitted, "language": "en",
            })
            for item_id, value in risk_answers(instrument, items):
                seen = submitted + ACKNOWLEDGED_AFTER
                done = seen < clinic.now
                clinic.rows.add(alerts, {
                    "id": clinic.ids.take(alerts), "patient_id": self.patient_id, "outcome_response_id": response_id,
                    "item_id": item_id, "value": value, "created_at": submitted, "notified_at": submitted,
                    "acknowledged_at": seen if done else None,
                    "acknowledged_by_id": self.therapist_id if done else None,
                    "action": "risk_assessed" if done else None, "note": "",
                })
