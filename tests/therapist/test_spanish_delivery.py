"""Issue 19: what a Spanish-speaking therapist reads about a patient's messages and about refused
changes is Spanish: when a queued SMS or e-mail goes and why, a refused fresh link, a fresh link
going by e-mail (not "SMS"), a session or a battery the rules refuse."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from flask_login import login_user

from dashboards.speech import say
from dashboards.therapist import operations
from feedback.battery.rules import BatteryError, parse_battery
from feedback.extensions import db
from tests.therapist.conftest import local, text


@pytest.fixture
def spanish(world):
    world.own.language = "es"
    db.session.commit()
    return world.own


def session_1(page: str) -> str:
    return text(page[page.index('id="session-1"'):])


def fresh_link_form(page: str) -> dict[str, str]:
    form = page[page.index('/sessions/1/fresh-link"'):]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[:form.index("</form>")]))


def test_a_queued_sms_says_why_it_waits_in_spanish(spanish, make_patient, make_session, as_user, clock):
    patient = make_patient(spanish, "P-S1", phone="+447400000001", sms_consent=True)
    make_session(patient, starts_at=local(2026, 1, 14, 14, 0))
    page = session_1(as_user(spanish).get("/patients/P-S1").text)
    assert "por la espera de 30 minutos después de la sesión" in page
    assert "wait after the session" not in page


def test_a_fresh_link_refused_in_quiet_hours_is_said_in_spanish(spanish, make_patient, make_session, as_user, clock):
    patient = make_patient(spanish, "P-S1", phone="+447400000001", sms_consent=True)
    make_session(patient, starts_at=local(2026, 1, 14, 14, 0))
    clock(local(2026, 1, 14, 21, 30))
    client = as_user(spanish)
    page = client.get("/patients/P-S1").text
    assert "Por SMS saldría mañana a las 08:00, por las horas de silencio (21:00–08:00)." in session_1(page)
    client.post("/patients/P-S1/sessions/1/fresh-link", data={**fresh_link_form(page), "when": "now"})
    page = text(client.get("/patients/P-S1").text)
    assert "El SMS no puede salir ahora por las horas de silencio (21:00–08:00); no se ha cambiado nada." in page


def test_a_fresh_link_by_e_mail_says_e_mail_in_both_languages(world, make_patient, make_session, as_user, clock):
    patient = make_patient(world.own, "P-E1", email="p-e1@mail.example.net", email_consent=True)
    make_session(patient, starts_at=local(2026, 1, 14, 14, 0))
    clock(local(2026, 1, 14, 21, 30))
    client = as_user(world.own)
    page = client.get("/patients/P-E1").text
    client.post("/patients/P-E1/sessions/1/fresh-link", data={**fresh_link_form(page), "when": "next"})
    page = text(client.get("/patients/P-E1").text)
    # It said "by SMS" before: the fresh link goes by e-mail.
    assert ("A fresh link for session 1 will go to the patient by e-mail tomorrow at 08:00, because of quiet hours "
            "(21:00–08:00). The old link no longer works.") in page
    assert "By e-mail, not sent yet: it goes tomorrow at 08:00, because of quiet hours (21:00–08:00)." in page

    world.own.language = "es"
    db.session.commit()
    page = text(client.get("/patients/P-E1").text)
    assert "Por correo electrónico, aún sin enviar: sale mañana a las 08:00, por las horas de silencio" in page


def test_a_session_the_rules_refuse_is_said_in_spanish(app, world):
    world.patient.status = "ended"
    db.session.commit()
    entry = operations.SessionInput(local(2026, 1, 14, 10, 0), 50, "attended")
    with app.test_request_context(), force_locale("es"):
        login_user(world.own)
        with pytest.raises(operations.TreatmentError) as refused:
            operations.add_session(world.patient, entry, now=local(2026, 1, 14, 12, 0))
    assert str(refused.value) == f"El tratamiento del paciente {world.patient.code} ha finalizado."


def test_a_battery_the_rules_refuse_is_said_in_spanish(app):
    raw = [{"instrument": "phq-9", "every": "nth", "n": 0}, {"instrument": "core-10", "every": "session"}]
    with pytest.raises(BatteryError) as refused:
        parse_battery(raw, {"phq-9", "gad-7"})
    with app.test_request_context(), force_locale("es"):
        said = [say(problem) for problem in refused.value.problems]
    assert said == ["entrada 1: n (cada n sesiones) debe ser un número entero de 1 a 52",
                    "entrada 2: 'core-10' no es una medida de resultado que esta aplicación conozca (gad-7, phq-9)"]
