"""Without Twilio, a developer sees each SMS (number, time, text with the link) on the console,
whatever the log level: the demo says "SMS go to this console". Never in production."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import time_machine

from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.senders import ConsoleSender, sender_from_config
from feedback.delivery.settings import delivery
from tests.delivery.conftest import link_of, local, patient_invitation, reconfigure

NO_TWILIO = {"TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "", "TWILIO_FROM_NUMBER": "", "TWILIO_API_BASE_URL": ""}


@pytest.fixture
def root_at_warning():
    """The root logger as `flask run --debug` leaves it: INFO records go nowhere."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    root.setLevel(logging.WARNING)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


def test_a_dispatched_console_sms_is_printed_even_with_the_root_logger_at_warning(
    app, clock, sms_session, capsys, root_at_warning
):
    reconfigure(app, **NO_TWILIO)
    console = delivery().sender
    assert isinstance(console, ConsoleSender)
    clock(local(2026, 1, 14, 15, 0))
    recorded, _ = sms_session(starts_at=local(2026, 1, 14, 14, 0))
    clock(local(2026, 1, 14, 15, 20))

    Dispatcher(console, delivery().cipher).run()

    printed = capsys.readouterr().out
    [message] = console.sent  # the in-memory record the demo and tests read is kept
    assert message.to in printed and message.body in printed
    assert link_of(patient_invitation(recorded)) in printed
    assert "2026-01-14 15:20" in printed  # local() is London: UTC in January


def test_the_console_prints_number_time_label_and_body(capsys):
    sender = ConsoleSender(echo=True)
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC), tick=False):
        sender.send("+447400000001", "Northside: https://clinic.example.org/s/abc", label="P-017")

    printed = capsys.readouterr().out
    assert "+447400000001" in printed and "2026-03-02 08:00:05 UTC" in printed and "P-017" in printed
    assert "Northside: https://clinic.example.org/s/abc" in printed


def test_the_printed_sms_stays_out_of_the_logs(capsys, caplog):
    with caplog.at_level(logging.DEBUG):
        ConsoleSender(echo=True).send("+447400000001", "hello", label="P-017")

    assert "+447400000001" in capsys.readouterr().out
    assert "+447400000001" not in caplog.text


@pytest.mark.parametrize(("env", "printed"), [("development", True), ("testing", True), ("production", False)])
def test_only_outside_production_does_the_console_print(env, printed, capsys):
    sender = sender_from_config({"APP_ENV": env})

    sender.send("+447400000001", "hello", label="P-017")

    assert ("+447400000001" in capsys.readouterr().out) is printed
