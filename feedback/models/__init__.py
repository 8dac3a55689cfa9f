"""The data model, one module per entity; import models from here."""

from feedback.models.clinic import ROLES, Clinic, User
from feedback.models.invitation import RESPONDENTS, Invitation, Response
from feedback.models.outbox import OutboxMessage as OutboxMessage  # re-exported
from feedback.models.outcome import SAFETY_ACTIONS, OutcomeResponse, SafetyAlert
from feedback.models.patient import CHANNELS, END_REASONS, Patient
from feedback.models.session import ATTENDANCE, SESSION_YEARS, TherapySession, within_session_years
from feedback.models.types import utcnow
from feedback.models.webhook import ProcessedWebhook as ProcessedWebhook  # re-exported

__all__ = [
    "ATTENDANCE",
    "CHANNELS",
    "END_REASONS",
    "RESPONDENTS",
    "SAFETY_ACTIONS",
    "SESSION_YEARS",
    "ROLES",
    "Clinic",
    "Invitation",
    "OutcomeResponse",
    "Patient",
    "Response",
    "SafetyAlert",
    "TherapySession",
    "User",
    "utcnow",
    "within_session_years",
]
