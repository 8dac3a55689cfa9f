"""Invitations and responses: create the links for a session, resolve a link, store answers.

This module is the one place that commits for these use cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from feedback import alone, survey_link, tokens
from feedback.changes import mark_flags_stale, stale_mark
from feedback.extensions import db
from feedback.i18n import use_language
from feedback.instruments.model import Instrument
from feedback.models import Invitation, Patient, Response, TherapySession, User, utcnow
from feedback.signals import patient_language_chosen
from feedback.survey_link import LinkPatient, LinkTherapist, SurveyLink


class LinkProblem(Exception):
    """Base for the ways a survey link can fail; each maps to its own page and status. The link's
    invitation comes along when it was found, so that its page speaks the respondent's language."""

    status = 400

    def __init__(self, invitation: SurveyLink | Invitation | None = None) -> None:
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


def resolve(token: str, *, answered: bool = False, now: datetime | None = None) -> SurveyLink:
    """The link a token belongs to, as its pages read it (`feedback/survey_link.py`), or the reason
    it cannot be used.

    `answered`: a link whose form is answered is returned too (until it expires), for the outcome
    measures that follow the form on the same link (`feedback/battery/`)."""
    if not tokens.well_formed(token):
        raise LinkInvalid()
    invitation = survey_link.by_token_hash(tokens.hash_token(token))
    if invitation is None or not tokens.matches(token, invitation.token_hash):
        raise LinkInvalid()
    expired = (now or utcnow()) >= invitation.expires_at
    # An answered link that has expired says it was answered: no new link can be sent for it.
    if invitation.completed_at is not None and (expired or not answered):
        raise LinkCompleted(invitation)
    if expired:
        raise LinkExpired(invitation)
    return invitation


def respondent(invitation: SurveyLink | Invitation) -> LinkPatient | LinkTherapist | Patient | User:
    """Who answers the link: the patient, or the therapist on their own form."""
    session = invitation.session
    return session.patient if invitation.respondent == "patient" else session.therapist


def speak_for(invitation: SurveyLink | Invitation) -> str:
    """Make this request's pages speak the link's respondent's language: the patient's own on a
    patient's form, the therapist's on theirs (else their clinic's default, else English)."""
    return use_language(respondent(invitation).language, invitation.session.patient.clinic)


_INVITATIONS = Invitation.__table__
# Guarded so that concurrent first opens record one timestamp and never block each other.
_OPENED = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("invitation"), _INVITATIONS.c.opened_at.is_(None))
    .values(opened_at=bindparam("opened"))
)


def mark_opened(invitation: SurveyLink, *, now: datetime | None = None) -> None:
    """Record the link's first opening: a statement of its own (`feedback/alone.py`)."""
    if invitation.opened_at is None:
        alone.write(_OPENED, {"invitation": invitation.id, "opened": now or utcnow()})


def choose_language(link: SurveyLink | Invitation, language: str) -> None:
    """The patient's own choice on the survey page (a shipped language, checked by the caller):
    every page, SMS and e-mail to them from now on; announced for the audit trail."""
    if link.session.patient.language == language:
        return
    patient = db.session.get_one(Patient, link.session.patient_id)
    previous, patient.language = patient.language, language
    patient_language_chosen.send(patient, previous=previous)
    db.session.commit()


# Built once, in Core: only one transaction can move completed_at from NULL, and the answer is one
# INSERT … RETURNING. (A profile put the ORM's unit of work at a third of a POST, but old and new
# timed interleaved took the same: bench/RESULTS.md. The statement stays for its plainness.)
_CLAIM = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("invitation"), _INVITATIONS.c.completed_at.is_(None))
    .values(completed_at=bindparam("completed_at"))
)
_RESPONSES = Response.__table__
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)
_GIVEN = ("answers", "scores", "seconds_taken", "language")  # the answer's columns besides its link and time

# On PostgreSQL the claim, the answer and the treatment's mark are one statement (data-modifying
# WITH): the insert and the mark happen only if the claim took the link. Sent alone
# (feedback/alone.py), the statement is its own transaction: two round trips for the whole answer,
# the lookup and this, instead of six (BEGIN, lookup, three writes, COMMIT); an answer's CPU in the
# app and the database fell by about a fifth (bench/RESULTS.md). SQLite has no DML in WITH.
# Bound names differ from the responses table's columns: SQLAlchemy would take those as the
# INSERT's own values.
_CLAIMED = _CLAIM.returning(_INVITATIONS.c.id).cte("claimed")
_CLAIM_STORE_AND_MARK = (
    insert(_RESPONSES)
    .from_select(
        ["invitation_id", "submitted_at", *_GIVEN],
        select(_CLAIMED.c.id, bindparam("completed_at", type_=_RESPONSES.c.submitted_at.type),
               *(bindparam(f"given_{name}", type_=_RESPONSES.c[name].type) for name in _GIVEN)),
    )
    .returning(_RESPONSES.c.id)
    .add_cte(stale_mark().where(exists(select(_CLAIMED.c.id))).cte("marked"))
)


def record_response(
    invitation: SurveyLink | Invitation,
    answers: dict[str, Any],
    scores: dict[str, float | None],
    *,
    seconds_taken: int | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> int:
    """Store exactly one response per invitation, also under concurrent double submits; its id.

    The guarded UPDATE claims the invitation (only one transaction can move completed_at from
    NULL); the unique invitation_id on responses is the database's own backstop. The claim, the
    answer and the treatment's mark commit together: one statement on PostgreSQL, three in one
    transaction on SQLite.
    """
    now = now or utcnow()
    response = {"answers": answers, "scores": scores, "seconds_taken": seconds_taken,
                "language": language}  # the form's language, which the answers were given in
    claim = {"invitation": invitation.id, "completed_at": now}
    mark = {"patient_id": invitation.session.patient_id, "changed_at": now}
    try:
        if db.engine.dialect.name == "postgresql":
            given = {f"given_{name}": value for name, value in response.items()}
            stored = alone.write(_CLAIM_STORE_AND_MARK, {**claim, **mark, **given})  # committed
            response_id = None if stored is None else stored.id
        else:
            response_id = _in_three_statements(claim, mark, {"invitation_id": invitation.id, "submitted_at": now,
                                                              **response})
            if response_id is not None:
                db.session.commit()
    except IntegrityError:  # a second response: the unique invitation_id, the database's own backstop
        response_id = None
    if response_id is None:  # answered meanwhile: nothing of this copy is kept
        db.session.rollback()
        raise LinkCompleted(invitation)
    return response_id


def _in_three_statements(claim: dict[str, Any], mark: dict[str, Any], response: dict[str, Any]) -> int | None:
    """The three statements, in the caller's transaction; None when the link was answered meanwhile."""
    if db.session.execute(_CLAIM, claim).rowcount != 1:
        return None
    response_id = db.session.execute(_INSERT_RESPONSE, response).scalar_one()
    mark_flags_stale(**mark)
    return response_id
