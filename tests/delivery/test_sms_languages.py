"""Every SMS text in every shipped language, with realistic long values, stays in GSM-7 and within
two segments: a Spanish accent GSM-7 lacks (á í ó ú) is sent without it rather than turning the
whole message into UCS-2 (70 characters a segment instead of 160). And an SMS in Spanish."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from feedback.delivery.messages import (
    DEFAULT_SENDER_NAME,
    LINK_TEXTS,
    MAX_SEGMENTS,
    TYPICAL_LINK,
    gsm7,
    gsm7_length,
    help_reply,
    render,
    segments,
)
from feedback.delivery.rendering import message_for
from feedback.i18n import LANGUAGES
from feedback.phones import PhoneCipher
from tests.delivery.conftest import CLINIC_CONTACT, mobile, replies, sms_from, twilio_config

# A base URL and a clinic name longer than most: what a real deployment might configure.
LONG_LINK = "https://feedback.northside-psychotherapy.example.org/s/" + "Zq3-x_9Lk2Vb7Rt0Yw4Hn8Jm1Pc6Sd5Fg-A_BcDeFgH"
LONG_NAME = "Centro de Psicoterapia Norte"
CONTACT = "recepcion@northside-psychotherapy.example.org"


@pytest.fixture
def app_config(fake_twilio):
    return twilio_config(fake_twilio)  # HELP is answered only with Twilio configured


def every_text() -> list[str]:
    texts = []
    for sender in (DEFAULT_SENDER_NAME, LONG_NAME):
        texts += [render(kind, LONG_LINK, sender) for kind in LINK_TEXTS] + [help_reply(CONTACT, sender)]
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_in_every_language_stays_gsm7_within_two_segments(app, language):
    with app.app_context(), force_locale(language):
        for text in every_text():
            assert gsm7_length(text) is not None, text
            assert segments(text) <= MAX_SEGMENTS, (segments(text), len(text), text)


def test_an_sms_in_spanish(app):
    with app.app_context(), force_locale("es"):
        text = render("invitation", LONG_LINK)
        fresh = render("fresh_link", LONG_LINK, "Clínica Norte")
    assert text == f"Su clinica: Hola, tiene un cuestionario de 1 minuto: {LONG_LINK} Responda STOP para darse de baja"
    assert fresh.startswith("Clinica Norte: Su enlace anterior ha caducado. Enlace nuevo:")
    assert segments(text) == 2 and segments(fresh) == 2


def test_the_english_texts_still_fit_one_segment_with_the_default_name_and_a_typical_link(app):
    with app.app_context(), force_locale("en"):
        assert all(segments(render(kind, TYPICAL_LINK)) == 1 for kind in LINK_TEXTS)


def test_gsm7_drops_only_the_accents_it_lacks():
    assert gsm7("Clínica Ó úa á") == "Clinica O ua a"
    assert gsm7("Niño, Müller, café, ¿sí?") == "Niño, Müller, café, ¿si?"  # ñ ü é ¿ are GSM-7
    assert gsm7("Łódź ’") == "Łodz ’"  # no GSM-7 letter for Ł or ’: left for the check to refuse


def test_segments_per_encoding():
    assert segments("x" * 160) == 1 and segments("x" * 161) == 2 and segments("x" * 306) == 2
    assert segments("x" * 307) == 3
    assert segments("[" * 80) == 1 and segments("[" * 81) == 2  # the extension table costs two septets
    assert segments("ó" * 70) == 1 and segments("ó" * 71) == 2 and segments("ó" * 135) == 3  # UCS-2


def test_the_worker_writes_to_a_patient_in_their_language(app, sms_session, make_sms_patient):
    _, row = sms_session(make_sms_patient(language="es"))
    message = message_for(row, PhoneCipher(app.config["PHONE_ENCRYPTION_KEY"]), "Northside")
    assert message.body.startswith("Northside: Hola, tiene un cuestionario de 1 minuto: https://")
    assert message.body.endswith(" Responda STOP para darse de baja") and segments(message.body) <= MAX_SEGMENTS


def test_help_is_answered_in_the_language_of_the_patient_with_that_number(post, make_sms_patient):
    make_sms_patient(phone=mobile(77), language="es")
    [text] = replies(post("/sms/inbound", sms_from(mobile(77), "HELP")))
    assert text == f"Northside: para recibir ayuda, contacte con {CLINIC_CONTACT}. Responda STOP para darse de baja."
