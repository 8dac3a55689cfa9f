"""Issue 19: a safety alert e-mail is written in each recipient's language (a clinician's own, else
the clinic's default; an on-call address reads the clinic's), one message per language, through
the SMTP sink on loopback; still no patient details. The acknowledgement panel and the banner
speak the clinician's language."""

from __future__ import annotations

import re
from datetime import timedelta

from dashboards.safety import notify
from dashboards.safety.message import WAITING_SUBJECT
from feedback.extensions import db
from feedback.models import utcnow
from tests import smtp_sink
from tests.safety.builders import answer_phq9
from tests.safety.conftest import BASE, ON_CALL

SPANISH_WAITING = "Hay una alerta de seguridad pendiente en el panel"
SPANISH_ESCALATED = "Una alerta de seguridad no se ha confirmado"


def by_recipients(sink: smtp_sink.Sink) -> dict[tuple[str, ...], smtp_sink.Received]:
    return {tuple(sorted(r.recipients)): r for r in sink.received}


def test_each_recipient_reads_the_alert_in_their_language(clinics, sink):
    clinics.north.language = "es"  # the on-call address and the director (no language of her own): Spanish
    clinics.alex.language = "en"  # the therapist chose English
    db.session.commit()
    [alert] = answer_phq9(clinics.patient, 2)

    cycle = notify.run_cycle()
    assert cycle.notified == [alert.id] and cycle.failed == []
    sent = by_recipients(sink)
    assert set(sent) == {("alex@north.example",), (ON_CALL,)}
    english, spanish = sent[("alex@north.example",)].message, sent[(ON_CALL,)].message
    assert english["Subject"] == WAITING_SUBJECT and spanish["Subject"] == SPANISH_WAITING
    body = spanish.get_content().replace("\r\n", "\n")
    assert "Hay una alerta de seguridad pendiente en el panel sobre uno de los pacientes a su cargo." in body
    assert f"\n{BASE}/\n" in body and "Este correo no contiene datos de pacientes." in body
    assert "safety alert" not in body.lower()
    for email in (english, spanish):  # no patient code, question, answer or number in either language
        content = email.get_content().replace(BASE, "")
        assert not re.search(r"\d", content) and "P-1" not in content
        assert not re.search(r"phq|better off dead|several days|varios días", content, re.I)

    sink.received.clear()
    later = notify.run_cycle(utcnow() + timedelta(days=30))  # long past the escalation time
    assert later.escalated == [alert.id]
    [escalated] = sink.received
    assert escalated.recipients == ["dana@north.example"] and escalated.message["Subject"] == SPANISH_ESCALATED
    assert "horas de la clínica sin confirmarse" in escalated.message.get_content()


def test_a_shared_language_is_one_message(clinics, sink):
    answer_phq9(clinics.patient, 1)
    notify.run_cycle()
    [received] = sink.received
    assert sorted(received.recipients) == sorted(["alex@north.example", ON_CALL])
    assert received.message["Subject"] == WAITING_SUBJECT


def test_a_spanish_therapist_acknowledges_in_spanish(clinics, as_user):
    clinics.alex.language = "es"
    db.session.commit()
    answer_phq9(clinics.patient, 2)
    client = as_user(clinics.alex)
    page = client.get("/patients/P-1").text
    assert "Alerta de seguridad" in page and "Una alerta de seguridad está pendiente de confirmar" in page
    assert "Confirmar la alerta de seguridad" in page and "Se contactó con el paciente" in page
    assert "pregunta 9" in page and "question 9" not in page
    assert "Acknowledge the safety alert" not in page


def test_when_one_language_fails_the_alert_still_counts_as_sent_once(clinics, sink):
    clinics.north.language, clinics.alex.language = "es", "en"  # two messages: English to Alex, Spanish to on-call
    db.session.commit()
    sink.refuse.add(ON_CALL)  # the Spanish message to the on-call address is refused for good
    [alert] = answer_phq9(clinics.patient, 2)
    assert notify.run_cycle().notified == [alert.id]
    assert [r.recipients for r in sink.received] == [["alex@north.example"]]
    assert notify.run_cycle().notified == []  # never twice to the therapist
    assert len(sink.received) == 1
