"""Sending claimed rows: the last checks, the provider call, and recording how it ended.

Per row:  claimed --(checks)--> sending --(provider)--> sent | pending (retry) | failed | uncertain
                     \\-> cancelled / pending (postponed)

`sending` is committed *before* the provider call, so a crash during the call leaves evidence
(`recover_stalled` turns it `uncertain` once the claim lapses) instead of a row that would be
sent again. Every move is a guarded UPDATE (`WHERE status = … AND claimed_by = me` or `AND
attempts = this attempt`): a move that lost a race changes nothing.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, update

from feedback.delivery import claims
from feedback.delivery.channels import Outgoing, outgoing_for, send
from feedback.delivery.optout import record_opt_out
from feedback.delivery.rules import Cancel, Postpone, daily_cap_from, send_verdict
from feedback.delivery.schedule import MAX_ATTEMPTS, retry_delay
from feedback.delivery.senders import (
    BAD_CREDENTIALS,
    OPTED_OUT,
    PermanentSendError,
    Sender,
    TransientSendError,
    UncertainSendError,
)
from feedback.delivery.settings import block_reason_for, delivery
from feedback.delivery.timing import policy_for, previous_sends
from feedback.extensions import db
from feedback.models import Invitation, utcnow
from feedback.models.outbox import REACHED_STATUSES, OutboxMessage
from feedback.phones import PhoneCipher
from feedback.translatable import N_

log = logging.getLogger(__name__)

#: How long sending stops after Twilio refused the account's credentials.
CREDENTIALS_PAUSE = timedelta(minutes=5)
#: Statuses a provider's answer may settle (a status callback or a lapsed claim may have
#: overtaken the dispatcher that made the call).
_AFTER_CALL = ("sending", "uncertain", "sent", "delivered", "undelivered", "failed")


def worker_id() -> str:
    """Names this process in `claimed_by`: unique even across hosts and pid reuse."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Outcomes:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    cancelled: int = 0
    postponed: int = 0
    skipped: int = 0  # lost a race or given back

    @property
    def total(self) -> int:
        return sum(vars(self).values())


@dataclass(frozen=True)
class Attempt:
    """One provider call for one row, in plain values (ORM objects expire at each commit)."""

    row_id: int
    number: int  # the row's attempts once this call started
    kind: str
    invitation_id: int
    patient_id: int
    code: str  # the patient code: what logs may name


def status_callback_url(base_url: str, row_id: int) -> str | None:
    """Twilio reports delivery to a per-row URL, so even a row whose send answer was lost
    (uncertain, no provider id) is settled by the callback."""
    return f"{base_url}/sms/status/{row_id}" if base_url else None


@dataclass
class Dispatcher:
    """Sends due rows; one per process (it keeps the process's pause and stop state)."""

    sender: Sender
    cipher: PhoneCipher
    worker: str = field(default_factory=worker_id)
    rng: random.Random = field(default_factory=random.SystemRandom)
    stopping: threading.Event = field(default_factory=threading.Event)
    paused_until: datetime | None = None

    def run(self, *, max_batches: int | None = None) -> Outcomes:
        """Claim and send batches until nothing is due (or `max_batches`, or `stop()`)."""
        outcomes = Outcomes()
        claims.recover_stalled(utcnow())
        batches = 0
        while not self.stopping.is_set() and (max_batches is None or batches < max_batches):
            if self.paused():
                break
            config = delivery().settings
            ids = claims.claim_due(self.worker, now=utcnow(), ttl=config.claim_ttl, limit=config.batch_size)
            if not ids:
                break
            batches += 1
            for index, row_id in enumerate(ids):
                if self.stopping.is_set() or self.paused():
                    outcomes.skipped += claims.release(ids[index:], self.worker)
                    break
                self._deliver(row_id, outcomes)
        return outcomes

    def paused(self) -> bool:
        return self.paused_until is not None and utcnow() < self.paused_until

    def stop(self) -> None:
        self.stopping.set()

    # -- one row ---------------------------------------------------------------------------

    def _deliver(self, row_id: int, outcomes: Outcomes) -> None:
        db.session.expire_all()  # read what other processes committed since the last row
        row = db.session.get(OutboxMessage, row_id)
        if row is None or row.status != "claimed" or row.claimed_by != self.worker:
            outcomes.skipped += 1
            return
        now = utcnow()
        config = delivery().settings
        patient = row.patient
        verdict = send_verdict(
            block_reason=block_reason_for(patient, row.channel),
            completed=row.invitation.completed_at is not None,
            expires_at=row.invitation.expires_at,
            now=now,
            previous_sends=previous_sends(patient.id, statuses=REACHED_STATUSES, exclude=row.id),
            tz_name=patient.clinic.timezone,
            policy=policy_for(patient),
            daily_cap_from=daily_cap_from(row.kind, row.created_at),
        )
        if isinstance(verdict, Cancel):
            outcomes.cancelled += self._give_back(row_id, status="cancelled", last_error=verdict.reason)
            return
        if isinstance(verdict, Postpone):
            outcomes.postponed += self._give_back(row_id, status="pending", due_at=verdict.until)
            return
        try:
            message = outgoing_for(row, self.cipher, config.sender_name)
        except ValueError as exc:  # no number or address any more, or a key that cannot decrypt it
            outcomes.failed += self._give_back(row_id, status="failed", last_error=f"cannot send: {exc}"[:200])
            return
        attempt = Attempt(row_id, row.attempts + 1, row.kind, row.invitation_id, row.patient_id, patient.code)
        if not self._start_attempt(attempt, now, config.claim_ttl):
            outcomes.skipped += 1
            return
        self._call_provider(attempt, message, config.public_base_url, outcomes)

    def _call_provider(self, attempt: Attempt, message: Outgoing, base_url: str, outcomes: Outcomes) -> None:
        try:
            result = send(message, self.sender, status_callback=status_callback_url(base_url, attempt.row_id))
        except TransientSendError as exc:
            self._after_transient(attempt, exc, outcomes)
        except PermanentSendError as exc:
            self._after_permanent(attempt, exc, outcomes)
        except UncertainSendError as exc:
            known = {"provider_id": exc.provider_id} if exc.provider_id else {}
            outcomes.uncertain += _settle(attempt, status="uncertain", last_error=exc.reason, **known)
            log.warning("Message %s for patient %s is uncertain: %s", attempt.row_id, attempt.code, exc.reason)
        except Exception:  # a bug or an unforeseen error: it may have been sent, so never retry blindly
            log.exception("Message %s for patient %s: unexpected error during the send", attempt.row_id, attempt.code)
            outcomes.uncertain += _settle(attempt, status="uncertain",
                                          last_error=N_("unexpected error during the send"))
        else:
            outcomes.sent += _settle_sent(attempt, result.provider_id, utcnow())
            log.info("Message %s (%s) for patient %s sent", attempt.row_id, attempt.kind, attempt.code)

    def _after_transient(self, attempt: Attempt, exc: TransientSendError, outcomes: Outcomes) -> None:
        now = utcnow()
        wait = retry_delay(attempt.number, self.rng)
        if exc.retry_after is not None:
            # The provider asked everyone to wait: this process stops sending until then.
            wait = max(wait, timedelta(seconds=exc.retry_after))
            self.paused_until = now + timedelta(seconds=exc.retry_after)
        if attempt.number >= MAX_ATTEMPTS:
            reason = f"gave up after {attempt.number} attempts: {exc.reason}"
            outcomes.failed += _settle(attempt, status="failed", last_error=reason, error_code=exc.code)
            log.warning("Message %s for patient %s failed: %s", attempt.row_id, attempt.code, reason)
            return
        outcomes.retried += _settle(
            attempt, status="pending", due_at=now + wait, last_error=exc.reason, error_code=exc.code
        )
        log.info(
            "Message %s for patient %s: %s; retry in %ds",
            attempt.row_id, attempt.code, exc.reason, wait.total_seconds(),
        )

    def _after_permanent(self, attempt: Attempt, exc: PermanentSendError, outcomes: Outcomes) -> None:
        if exc.code == BAD_CREDENTIALS:
            # Every message would fail the same way: not this row's fault. Pause and alert.
            self.paused_until = utcnow() + CREDENTIALS_PAUSE
            log.critical(
                "Twilio refused the account credentials (error 20003): sending paused for %d minutes; "
                "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
                CREDENTIALS_PAUSE.total_seconds() // 60,
            )
            # The call does not count as an attempt: the account was refused, not the message.
            outcomes.skipped += _settle(attempt, status="pending", attempts=attempt.number - 1, last_error=exc.reason)
            return
        outcomes.failed += _settle(attempt, status="failed", last_error=exc.reason, error_code=exc.code)
        log.warning("Message %s for patient %s refused: %s", attempt.row_id, attempt.code, exc.reason)
        if exc.code == OPTED_OUT:
            record_opt_out([attempt.patient_id])

    # -- moves -----------------------------------------------------------------------------

    def _give_back(self, row_id: int, **values: object) -> int:
        """Move a row this process claimed but will not send now."""
        moved = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id, OutboxMessage.status == "claimed", OutboxMessage.claimed_by == self.worker
            )
            .values(claimed_by=None, claim_expires_at=None, **values)
        ).rowcount
        db.session.commit()
        return moved

    def _start_attempt(self, attempt: Attempt, now: datetime, ttl: timedelta) -> bool:
        """claimed -> sending, committed before the call. Fails if the claim was lost meanwhile
        (it lapsed and another process took the row, or the row was cancelled)."""
        moved = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == attempt.row_id,
                OutboxMessage.status == "claimed",
                OutboxMessage.claimed_by == self.worker,
            )
            .values(status="sending", attempts=attempt.number, last_attempt_at=now, claim_expires_at=now + ttl)
        ).rowcount
        db.session.commit()
        return moved == 1


def _settle(attempt: Attempt, **values: object) -> int:
    """Record how an attempt ended, unless something else settled it first."""
    moved = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == attempt.row_id,
            OutboxMessage.attempts == attempt.number,
            OutboxMessage.status.in_(("sending", "uncertain")),
        )
        .values(claimed_by=None, claim_expires_at=None, **values)
    ).rowcount
    db.session.commit()
    return moved


def _settle_sent(attempt: Attempt, provider_id: str | None, now: datetime) -> int:
    """The provider took the message. A status callback may already have moved the row on
    (to delivered, say): keep its status then, but record the provider id and time."""
    moved = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == attempt.row_id,
            OutboxMessage.attempts == attempt.number,
            OutboxMessage.status.in_(_AFTER_CALL),
        )
        .values(
            status=case((OutboxMessage.status.in_(("sending", "uncertain")), "sent"), else_=OutboxMessage.status),
            provider_id=func.coalesce(OutboxMessage.provider_id, provider_id),
            sent_at=func.coalesce(OutboxMessage.sent_at, now),
            claimed_by=None,
            claim_expires_at=None,
        )
    ).rowcount
    if moved:
        note_invitation_sent(attempt.kind, attempt.invitation_id, now)
    db.session.commit()
    return moved


def note_invitation_sent(kind: str, invitation_id: int, when: datetime) -> None:
    """The invitation's own sent_at: when its first SMS went out (the dashboards show it)."""
    if kind == "invitation":
        db.session.execute(
            update(Invitation).where(Invitation.id == invitation_id, Invitation.sent_at.is_(None)).values(sent_at=when)
        )
