"""Therapy sessions: the events that trigger post-session questionnaires."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models.clinic import User
from feedback.models.patient import Patient
from feedback.models.types import UTCDateTime, utcnow

# "cancelled" by the patient; "clinic_cancelled" by the clinic (therapist ill, holidays), which
# says nothing about the patient's engagement and never counts as missed.
ATTENDANCE = ("scheduled", "attended", "cancelled", "clinic_cancelled", "no_show")
#: The calendar years a session's date may fall in (a project choice): recording a session
#: (feedback/sessions.py) and the import refuse any other. No treatment recorded here predates
#: 1900, so an earlier date is a typing slip (0001 for 2001); and dates at the calendar's ends
#: (years 1 and 9999) overflow when a zone is taken off or a day is added. The therapist's form
#: takes a narrower window; a FHIR search or export may name these years.
SESSION_YEARS = (1900, 2999)


def within_session_years(moment: date | datetime) -> bool:
    return SESSION_YEARS[0] <= moment.year <= SESSION_YEARS[1]


class TherapySession(db.Model):
    __tablename__ = "therapy_sessions"
    __table_args__ = (UniqueConstraint("patient_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=50)
    attendance: Mapped[str] = mapped_column(String(16), default="scheduled")
    #: 1-based position in the treatment, counting every scheduled session.
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    therapist: Mapped[User] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def __repr__(self) -> str:
        return f"<TherapySession {self.patient_id}#{self.number}>"
