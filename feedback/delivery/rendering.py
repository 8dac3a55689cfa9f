"""Rebuilding a message from its outbox row: the link, the text and the number, at send time.

The database keeps neither the text nor the number, so the dispatcher (to send) and the
resolver (to recognise a message at the provider by its text) both build them here, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from feedback.delivery.messages import LinkKind, render
from feedback.i18n import speaking
from feedback.invitations import link_token
from feedback.links import survey_url
from feedback.models import Invitation
from feedback.models.outbox import OutboxMessage
from feedback.phones import PhoneCipher


@dataclass(frozen=True)
class Message:
    to: str
    body: str
    label: str  # the patient code: what logs may name


def invitation_link(invitation: Invitation) -> str:
    """The invitation's current link, also outside a request (the worker has none)."""
    return survey_url(link_token(invitation))


def message_for(row: OutboxMessage, cipher: PhoneCipher, sender_name: str) -> Message:
    """Raises ValueError when the patient has no number or the key cannot decrypt it."""
    patient = row.patient
    if patient.phone_encrypted is None:
        raise ValueError("no mobile number")
    with speaking(patient):  # the patient's language, decided at send time
        body = render(cast(LinkKind, row.kind), invitation_link(row.invitation), sender_name)
    return Message(cipher.decrypt(patient.phone_encrypted), body, patient.code)
