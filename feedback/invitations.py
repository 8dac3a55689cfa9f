"""Invitations and responses: create the links for a session, resolve a link, store answers.

This module is the one place that commits for these use cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only

from feedback import tokens
from feedback.changes import mark_flags_stale
from feedback.extensions import db
from feedback.i18n import use_language
from feedback.instruments.model import Instrument
from feedback.models import Clinic, Invitation, Patient, Response, TherapySession, User, utcnow
from feedback.signals import patient_language_chosen


class LinkProblem(Exception):
    """Base for the ways a survey link can fail; each maps to its own page and status. The link's
    invitation comes along when it was found, so that its page speaks the respondent's language."""

    status = 400

    def __init__(self, invitation: Invitation | None = None) -> None:
        super().__init__()
        self.invitation = invitation


class LinkInvalid(LinkProblem):
    status = 404


class LinkExpired(LinkProblem):
    status = 410


class LinkCompleted(LinkProblem):
    status = 409


@dataclass(frozen=True)
class IssuedLink:
    invitation: Invitation
    token: str  # the database keeps its hash and nonce, never the token itself


def issue_invitation(
    session: TherapySession,
    respondent: str,
    instrument: Instrument,
    *,
    valid_for: timedelta,
    channel: str = "link",
    now: datetime | None = None,
) -> IssuedLink:
    """Add (not commit) an invitation with a fresh token to the current transaction."""
    now = now or utcnow()
    nonce = tokens.new_nonce()
    token = tokens.token_for(token_key(), nonce)
    invitation = Invitation(
        session=session,
        respondent=respondent,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        token_hash=tokens.hash_token(token),
        token_nonce=nonce,
        channel=channel,
        created_at=now,
        expires_at=now + valid_for,
    )
    db.session.add(invitation)
    return IssuedLink(invitation, token)


class LinkReplaced(Exception):
    """The link had been replaced meanwhile: nothing was changed."""


def reissue(
    invitation: Invitation, *, valid_for: timedelta, replacing: datetime | None = None, now: datetime | None = None
) -> str:
    """A fresh link for an unanswered invitation; the old link stops working. Commits.

    `replacing` is the expiry of the link the caller means to replace (default: the one it
    loaded). The guarded UPDATE replaces exactly that link, so two requests that both saw it (a
    double click) replace it once: the second gets LinkReplaced, or LinkCompleted if answered.
    """
    if invitation.completed_at is not None:
        raise LinkCompleted()
    now = now or utcnow()
    nonce = tokens.new_nonce()
    replaced = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.expires_at == (replacing or invitation.expires_at),
            Invitation.completed_at.is_(None),
        )
        .values(token_nonce=nonce, token_hash=tokens.hash_token(tokens.token_for(token_key(), nonce)),
                expires_at=now + valid_for)
    ).rowcount
    if replaced != 1:
        db.session.rollback()
        db.session.refresh(invitation)
        raise LinkCompleted() if invitation.completed_at is not None else LinkReplaced()
    db.session.commit()
    return link_token(invitation)


def token_key() -> bytes:
    return tokens.derive_key(current_app.config["SECRET_KEY"])


def link_token(invitation: Invitation) -> str:
    """Rebuild an invitation's current token (for a reminder SMS or a link to hand over)."""
    return tokens.token_for(token_key(), invitation.token_nonce)


# One statement for what the survey pages show (session, patient, clinic), not four; built once,
# so each request skips composing the options and SQLAlchemy's cache key for them. Only the columns
# those pages read: 23 of the four tables' 53, since converting the rest (dates, JSON, encrypted
# contact details) was a few percent of a survey page (bench/RESULTS.md). Another column loads when
# first read, in a statement of its own (tests/survey/test_answer_path.py counts the pages').
_BY_TOKEN_HASH = (
    select(Invitation)
    .where(Invitation.token_hash == bindparam("digest"))
    .options(
        load_only(Invitation.session_id, Invitation.respondent, Invitation.instrument_id, Invitation.instrument_version,
                  Invitation.token_hash, Invitation.opened_at, Invitation.completed_at, Invitation.expires_at),
        joinedload(Invitation.session).options(
            load_only(TherapySession.patient_id, TherapySession.therapist_id, TherapySession.starts_at,
                      TherapySession.number),
            joinedload(TherapySession.patient).options(
                load_only(Patient.clinic_id, Patient.language, Patient.outcome_battery),
                joinedload(Patient.clinic).load_only(Clinic.timezone, Clinic.language, Clinic.outcome_battery,
                                                     Clinic.crisis_text),
            ),
        ),
    )
)


def resolve(token: str, *, answered: bool = False, now: datetime | None = None) -> Invitation:
    """The invitation a link token belongs to, or the reason it cannot be used.

    `answered`: an invitation whose form is answered is returned too (until the link expires),
    for the outcome measures that follow the form on the same link (`feedback/battery/`)."""
    if not tokens.well_formed(token):
        raise LinkInvalid()
    invitation = db.session.scalar(_BY_TOKEN_HASH, {"digest": tokens.hash_token(token)})
    if invitation is None or not tokens.matches(token, invitation.token_hash):
        raise LinkInvalid()
    expired = (now or utcnow()) >= invitation.expires_at
    # An answered link that has expired says it was answered: no new link can be sent for it.
    if invitation.completed_at is not None and (expired or not answered):
        raise LinkCompleted(invitation)
    if expired:
        raise LinkExpired(invitation)
    return invitation


def respondent(invitation: Invitation) -> Patient | User:
    """Who answers the link: the patient, or the therapist on their own form."""
    session = invitation.session
    return session.patient if invitation.respondent == "patient" else session.therapist


def speak_for(invitation: Invitation) -> str:
    """Make this request's pages speak the link's respondent's language: the patient's own on a
    patient's form, the therapist's on theirs (else their clinic's default, else English)."""
    return use_language(respondent(invitation).language, invitation.session.patient.clinic)


def mark_opened(invitation: Invitation, *, now: datetime | None = None) -> None:
    # Guarded so that concurrent first opens record one timestamp and never block each other.
    if invitation.opened_at is None:
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.opened_at.is_(None))
            .values(opened_at=now or utcnow())
        )
        db.session.commit()


def choose_language(patient: Patient, language: str) -> None:
    """The patient's own choice on the survey page (a shipped language, checked by the caller):
    every page, SMS and e-mail to them from now on; announced for the audit trail."""
    if patient.language == language:
        return
    previous, patient.language = patient.language, language
    patient_language_chosen.send(patient, previous=previous)
    db.session.commit()


# Built once, in Core: only one transaction can move completed_at from NULL, and the answer is one
# INSERT … RETURNING. (A profile put the ORM's unit of work at a third of a POST, but old and new
# timed interleaved took the same: bench/RESULTS.md. The statement stays for its plainness.)
_INVITATIONS = Invitation.__table__
_CLAIM = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("invitation_id"), _INVITATIONS.c.completed_at.is_(None))
    .values(completed_at=bindparam("completed_at"))
)
_RESPONSES = Response.__table__
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)


def record_response(
    invitation: Invitation,
    answers: dict[str, Any],
    scores: dict[str, float | None],
    *,
    seconds_taken: int | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> int:
    """Store exactly one response per invitation, also under concurrent double submits; its id.

    The guarded UPDATE claims the invitation (only one transaction can move completed_at from
    NULL); the unique invitation_id on responses is the database's own backstop.
    """
    now = now or utcnow()
    invitation_id, patient_id = invitation.id, invitation.session.patient_id
    claimed = db.session.execute(_CLAIM, {"invitation_id": invitation_id, "completed_at": now}).rowcount
    if claimed != 1:
        db.session.rollback()
        raise LinkCompleted(invitation)
    try:
        response_id = db.session.execute(_INSERT_RESPONSE, {
            "invitation_id": invitation_id, "answers": answers, "scores": scores, "submitted_at": now,
            "seconds_taken": seconds_taken,
            "language": language,  # the form's language, which the answers were given in
        }).scalar_one()
        mark_flags_stale(patient_id, now)
        db.session.commit()
    except IntegrityError:  # a duplicate
        db.session.rollback()
        raise LinkCompleted(invitation) from None
    return response_id
