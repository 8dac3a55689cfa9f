"""The daily digest: only codes, event names and a link; exactly once; per-clinic opt-in; real SMTP on loopback."""

from __future__ import annotations

import re
import ssl
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dashboards.access.models import PatientShare
from dashboards.digest import claims, recipients
from dashboards.digest import message as digest_message
from dashboards.digest import run as digest_run
from dashboards.risk.models import RiskEvent
from dashboards.risk.store import recompute_patients
from feedback import mail
from feedback.extensions import db
from feedback.models import Patient, User, utcnow
from tests import smtp_sink
from tests.dashboards.builders import UNRESOLVED, add_session
from tests.director.conftest import FREE_TEXT
from tests.threads import run_at_once

BASE = "https://clinic.example.org"


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"DIGEST_CLINICS": "Northside", "PUBLIC_BASE_URL": BASE}


def notified(code: str) -> list[object]:
    """notified_at of the patient's current high events (read afresh, not from the session's cache)."""
    return list(db.session.scalars(
        select(RiskEvent.notified_at).join(Patient, Patient.id == RiskEvent.patient_id)
        .where(Patient.code == code, RiskEvent.severity == "high", RiskEvent.current.is_(True))
    ))


def run(**kwargs) -> tuple[digest_run.DigestRun, mail.ConsoleMailer]:
    mailer = mail.ConsoleMailer()
    return digest_run.send_digests(mailer=mailer, **kwargs), mailer


def by_recipient(mailer: mail.ConsoleMailer) -> dict[str, str]:
    return {message["To"]: message.get_content() for message in mailer.sent}


def test_the_email_carries_only_patient_codes_event_names_and_a_link(clinics):
    _, mailer = run()
    body = by_recipient(mailer)["alex@north.example"]
    assert "  - A-HIGH: Unresolved rupture\n" in body
    assert f"\n{BASE}/\n" in body
    # No answers, no reasons, no numbers, no free text: take out the code and the link, and no digit is left.
    assert FREE_TEXT not in body and "tension" not in body and "of 5" not in body
    assert not re.search(r"\d", body.replace("A-HIGH", "").replace(BASE, ""))
    # Patients without a new high-risk event are not mentioned (B-WATCH is "watch", A-DROP has ended).
    assert not [code for code in ("A-CALM", "A-DROP", "B-WATCH", "P-SOUTH") if code in body]
    [message] = [m for m in mailer.sent if m["To"] == "alex@north.example"]
    assert message["Subject"] == digest_message.SUBJECT and not re.search(r"\d", message["Subject"])
    assert message.get_content_type() == "text/plain" and not message.is_multipart()


def test_each_clinician_gets_one_email_for_the_patients_they_may_see(clinics):
    result, mailer = run()
    # Alex treats A-HIGH; Casey has it shared; Blake has no high-risk event; Southside has not opted in.
    assert sorted(by_recipient(mailer)) == ["alex@north.example", "colleague@north.example"]
    assert [d.patients for d in result.sent] == [(("A-HIGH", ("Unresolved rupture",)),)] * 2


def test_each_event_is_sent_exactly_once_across_runs(clinics):
    first, _ = run()
    assert len(first.sent) == 2 and all(notified("A-HIGH"))
    second, mailer = run()
    assert second.sent == [] and mailer.sent == []
    # A later event is news: only it goes out, to the one clinician who may see that patient.
    patient = clinics.patients["A-CALM"]
    add_session(patient, 3, starts_at=utcnow() - timedelta(days=1), patient_form=UNRESOLVED, now=utcnow())
    db.session.commit()
    recompute_patients([patient.id])
    third, mailer = run()
    assert by_recipient(mailer).keys() == {"alex@north.example"}
    assert "A-CALM: Unresolved rupture" in mailer.sent[0].get_content()
    assert "A-HIGH" not in mailer.sent[0].get_content()


def test_two_runs_at_once_never_send_an_event_twice(app, clinics, monkeypatch):
    """Both runs plan the same events before either claims them: the guarded UPDATE gives each to one."""
    barrier, real_claim = threading.Barrier(2, timeout=30), claims.claim

    def claim_together(ids, now):
        barrier.wait()
        return real_claim(ids, now)

    monkeypatch.setattr(digest_run, "claim", claim_together)

    mailers = run_at_once(app, lambda: run()[1])

    sent = [message["To"] for mailer in mailers for message in mailer.sent]
    assert sorted(sent) == ["alex@north.example", "colleague@north.example"]


def test_the_digest_is_opt_in_per_clinic(app, clinics, runner):
    app.config["DIGEST_CLINICS"] = ""
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0 and "The digest is off" in result.output
    assert notified("A-HIGH") == [None] and mail.console_outbox().sent == []

    app.config["DIGEST_CLINICS"] = "Southside, Nowhere"
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0 and "Sent to therapist@south.example" in result.output
    assert "no clinic called 'Nowhere'" in result.output
    assert notified("P-SOUTH")[0] is not None and notified("A-HIGH") == [None]

    app.config.update(DIGEST_CLINICS="", DIGEST_ENABLED="1")
    runner.invoke(args=["digest"])
    # The first e-mail went to Southside; now Northside's two, once each.
    assert [m["To"] for m in mail.console_outbox().sent] == [
        "therapist@south.example", "alex@north.example", "colleague@north.example"]


def test_a_dry_run_shows_the_emails_and_sends_or_marks_nothing(clinics, runner):
    result = runner.invoke(args=["digest", "--dry-run"])
    assert result.exit_code == 0
    assert "--- to alex@north.example" in result.output and "A-HIGH: Unresolved rupture" in result.output
    assert "nothing was sent or marked" in result.output
    assert notified("A-HIGH") == [None] and mail.console_outbox().sent == []


def test_old_events_are_not_news(clinics):
    db.session.execute(update(RiskEvent).values(first_seen_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    result, mailer = run()
    assert mailer.sent == [] and notified("A-HIGH") == [None]


def test_disabled_accounts_and_ended_shares_get_nothing(clinics):
    clinics.alex.active = False
    db.session.execute(PatientShare.__table__.delete())
    db.session.commit()
    result, mailer = run()
    assert mailer.sent == []
    assert notified("A-HIGH") == [None]  # nobody could be told: left for when someone can


def test_an_email_that_cannot_be_sent_leaves_its_events_for_the_next_run(app, clinics, runner):
    db.session.execute(PatientShare.__table__.delete())
    db.session.commit()
    with smtp_sink.serve() as sink:
        port = sink.port
    # Nothing listens on the port any more: the connection is refused.
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="monitor@clinic.example.org",
                      SMTP_STARTTLS="0", SMTP_TIMEOUT_SECONDS=5)
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 1 and "Not sent to alex@north.example" in result.output
    assert notified("A-HIGH") == [None]
    later, mailer = run()
    assert by_recipient(mailer).keys() == {"alex@north.example"} and notified("A-HIGH")[0] is not None


def test_smtp_delivery_with_login(app, clinics, runner):
    with smtp_sink.serve() as sink:
        app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port, SMTP_FROM="monitor@clinic.example.org",
                          SMTP_USER="digest", SMTP_PASSWORD="s3cret-pass", SMTP_STARTTLS="0")
        result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert sorted(r.recipients[0] for r in sink.received) == ["alex@north.example", "colleague@north.example"]
    [alex] = [r for r in sink.received if r.recipients == ["alex@north.example"]]
    assert alex.sender == "monitor@clinic.example.org" and alex.login == ("digest", "s3cret-pass")
    assert alex.message["From"] == "monitor@clinic.example.org" and alex.message["Auto-Submitted"] == "auto-generated"
    assert "A-HIGH: Unresolved rupture" in alex.message.get_content()


def test_starttls_checks_the_servers_certificate(clinics, tmp_path):
    cert, key = smtp_sink.self_signed_certificate(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    [planned] = [d for d in recipients.pending_digests([clinics.north], utcnow(), timedelta(days=7))
                 if d.to == "alex@north.example"]
    message = digest_message.compose(planned, BASE, "monitor@clinic.example.org")
    with smtp_sink.serve(tls=server_tls) as sink:
        # The system's trust store does not know this certificate: refused before anything is sent.
        with pytest.raises(ssl.SSLCertVerificationError):
            mail.SmtpMailer(sink.host, sink.port).send(message)
        assert sink.received == []
        trusted = ssl.create_default_context(cafile=str(cert))
        mail.SmtpMailer(sink.host, sink.port, tls_context=trusted).send(message)
    [received] = sink.received
    assert received.tls and received.recipients == ["alex@north.example"]


def test_production_needs_an_smtp_server_and_a_sender():
    with pytest.raises(mail.MailConfigError, match="SMTP_HOST"):
        mail.configured_mailer({"APP_ENV": "production"})
    with pytest.raises(mail.MailConfigError, match="SMTP_FROM"):
        mail.configured_mailer({"APP_ENV": "production", "SMTP_HOST": "mail.example.org"})


def test_each_clinician_reads_the_digest_in_their_own_language(clinics):
    alex = db.session.scalar(select(User).where(User.email == "alex@north.example"))
    alex.language = "es"
    db.session.commit()
    _, mailer = run()
    [spanish] = [m for m in mailer.sent if m["To"] == "alex@north.example"]
    assert spanish["Subject"] == "Nuevas señales que revisar antes de sus próximas sesiones"
    assert "  - A-HIGH: Ruptura no resuelta\n" in spanish.get_content()
    assert "nunca respuestas" in spanish.get_content()
    [english] = [m for m in mailer.sent if m["To"] == "colleague@north.example"]  # the colleague's stays English
    assert english["Subject"] == digest_message.SUBJECT and "Unresolved rupture" in english.get_content()
