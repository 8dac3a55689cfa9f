"""SMS texts: the English ones in one GSM-7 segment, none over two, nothing clinical, a clear error for
a sender name that won't fit (every language: tests/delivery/test_sms_languages.py)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from feedback.delivery.emails import TEXTS, compose
from feedback.delivery.messages import (
    DEFAULT_SENDER_NAME,
    LINK_TEXTS,
    check_sender_name,
    gsm7_length,
    help_reply,
    render,
)
from feedback.i18n import LANGUAGES

# What the app really sends: base URL + "/s/" + a 43-character token_urlsafe(32).
TOKEN = "Zq3-x_9Lk2Vb7Rt0Yw4Hn8Jm1Pc6Sd5Fg-A_BcDeFgH"
LINK = "https://clinic.example.org/s/" + TOKEN
CONTACT = "+44 20 7946 0123"
FORBIDDEN = re.compile(r"therap|terap|session|sesi[oó]n|counsel|mental|psych|psic|diagn", re.IGNORECASE)
UNSUBSCRIBE = "https://clinic.example.org/u/e1_" + "A" * 32


def every_text(sender_name: str = DEFAULT_SENDER_NAME) -> list[str]:
    return [render(kind, LINK, sender_name) for kind in LINK_TEXTS] + [help_reply(CONTACT, sender_name)]


def test_the_realistic_link_has_a_real_token_length():
    assert len(TOKEN) == 43


@pytest.mark.parametrize("body", every_text())
def test_every_text_fits_one_gsm7_segment(body):
    assert len(body) <= 160
    assert gsm7_length(body) is not None
    assert gsm7_length(body) <= 160


@pytest.mark.parametrize("body", every_text())
def test_no_text_says_anything_clinical(body):
    assert FORBIDDEN.search(body) is None


@pytest.mark.parametrize("body", every_text())
def test_every_text_names_the_sender_and_how_to_stop(body):
    assert body.startswith(DEFAULT_SENDER_NAME + ": ")
    assert "Reply STOP to opt out" in body


@pytest.mark.parametrize("kind", sorted(LINK_TEXTS))
def test_link_texts_carry_the_link_intact(kind):
    assert f" {LINK} " in render(kind, LINK)


def test_the_link_texts_differ():
    assert len({render(kind, LINK) for kind in LINK_TEXTS}) == len(LINK_TEXTS)


def test_help_reply_gives_the_contact():
    assert CONTACT in help_reply(CONTACT, "Riverside Clinic")
    assert help_reply(CONTACT, "Riverside Clinic").startswith("Riverside Clinic: ")


def test_help_reply_needs_a_contact():
    with pytest.raises(ValueError, match="contact"):
        help_reply("  ")


def test_a_clinic_may_choose_wording_of_its_own():
    # The rule binds our texts; a clinic's chosen name is the clinic's call.
    assert render("invitation", LINK, "Riverside Psychotherapy").startswith("Riverside Psychotherapy:")


def test_a_sender_name_of_ordinary_length_fits_every_text():
    check_sender_name("Riverside Family Practice", LINK)  # 25 characters


def test_a_long_sender_name_is_refused_clearly():
    with pytest.raises(ValueError, match="over the 306 of 2 SMS"):
        check_sender_name("The Riverside Centre for Family Health Care " * 4, LINK)


def test_a_long_base_url_is_refused_too():
    long_link = "https://feedback.riverside-family-health-centre.example.org/" + "x" * 160 + "/s/" + TOKEN
    with pytest.raises(ValueError, match="306"):
        check_sender_name(DEFAULT_SENDER_NAME, long_link)


@pytest.mark.parametrize("name", ["St Mary’s Clinic", "Klinika Łódź", "Clinic 🙂"])
def test_a_sender_name_outside_gsm7_is_refused_clearly(name):
    with pytest.raises(ValueError, match="GSM-7"):
        render("reminder", LINK, name)


def test_gsm7_accepts_its_accented_letters():
    assert gsm7_length("Praxis Müller Göteborg") == len("Praxis Müller Göteborg")


def test_gsm7_extension_characters_count_double():
    assert gsm7_length("[x]") == 5
    assert gsm7_length("€") == 2
    assert gsm7_length("ó") is None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_no_email_says_anything_clinical(app, kind, language):
    with force_locale(language):
        message = compose(kind, "patient@mail.example.net", LINK, UNSUBSCRIBE, DEFAULT_SENDER_NAME, language)
    plain, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert FORBIDDEN.search(message["Subject"] + plain + html) is None
    assert LINK in plain and UNSUBSCRIBE in plain and f'href="{LINK}"' in html and f'lang="{language}"' in html
