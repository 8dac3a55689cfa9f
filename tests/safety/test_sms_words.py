"""SMS stay non-clinical: no text the app can send mentions mood, risk or what a questionnaire asks.
An SMS is read by whoever picks up the phone, and the lock screen shows it to anyone nearby."""

from __future__ import annotations

import re

import pytest

from feedback.delivery import messages
from feedback.instruments.registry import registry

CLINICAL = re.compile(
    r"mood|depress|anxi|suicid|self.?harm|harm|hurt|dead|death|die\b|kill|risk|crisis|safety|alert|emergenc|"
    r"danger|worse|hopeless|panic|worr|nervous|phq|gad|score|symptom|therap|mental|feeling",
    re.I,
)
LINK = "https://clinic.example.org/s/" + "x" * 43


def every_sms_text() -> list[str]:
    """Each text the app sends, with the default and a clinic's own sender name."""
    texts = []
    for sender in (messages.DEFAULT_SENDER_NAME, "Northside"):
        texts += [messages.render(kind, LINK, sender) for kind in messages.LINK_TEXTS]
        texts.append(messages.help_reply("020 7946 0000", sender))
    return texts


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{6,}", text)}


@pytest.mark.parametrize("text", every_sms_text())
def test_no_sms_names_mood_risk_or_a_questionnaires_subject(text):
    assert not CLINICAL.search(text), text


def test_no_sms_repeats_the_wording_of_any_question(app):
    """No longer word of any installed instrument's items, answers or titles appears in an SMS."""
    asked = set()
    for instrument in registry().all():
        for item in instrument.items:
            for wording in (*item.text.values(), *(a for anchor in item.anchors.values() for a in anchor.values()),
                            *(o for option in item.options for o in option.label.values())):
                asked |= _words(wording)
    assert asked, "no instrument wording found"
    sent = set().union(*(_words(text) for text in every_sms_text()))
    assert sent & asked == set()
