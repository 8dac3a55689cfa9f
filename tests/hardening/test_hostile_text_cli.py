"""Issue 16 §2, the command line and the CSV import: an argument or a cell holding a control
character or bidi override is refused with a clear message and nothing is written; numbers take
the digits 0-9 only, and a 5,000-digit number is a row problem, not Python's message."""

from __future__ import annotations

import csv
import io

import click
import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import Clinic, TherapySession, User

REFUSED = "invisible control character"
ANSWERS = {"bond_understood": "4", "bond_trust": "4", "task_useful": "4", "task_fit": "3", "goal_agree": "4",
           "goal_unclear": "2", "rupture": "no", "held_back": "1", "went_along": "2", "frustrated": "1"}
HEADER = ["patient_code", "therapist_email", "session_number", "session_date", "attendance", "respondent",
          "instrument_id", *ANSWERS, "comment"]


def row_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("character", ["\x1b", "\x85", "\u202e", "\u2068"])
def test_a_text_argument_with_a_control_or_bidi_character_is_refused(runner, make_clinic, character):
    clinic = make_clinic("Northside")
    clinics = row_count(Clinic)
    result = runner.invoke(args=["clinics", "add", f"Evil{character}Clinic"])
    assert result.exit_code == 2 and f"{REFUSED} (U+{ord(character):04X})" in result.output
    result = runner.invoke(args=["users", "add", f"x{character}@example.org", "--clinic", clinic.name,
                                 "--role", "therapist"], env={"NEW_USER_PASSWORD": "a-long-enough-password"})
    assert result.exit_code == 2 and REFUSED in result.output
    assert row_count(Clinic) == clinics and row_count(User) == 0


def test_an_argument_that_is_not_utf8_is_refused(runner):
    result = runner.invoke(args=["clinics", "add", "Clinic \udcff"])  # how Python passes on a byte 0xff in argv
    assert result.exit_code == 2 and "a byte that is not UTF-8 text (U+DCFF)" in result.output
    assert row_count(Clinic) == 0


def test_a_text_argument_is_stored_nfc_and_a_number_takes_only_digits_0_9(runner, make_patient):
    result = runner.invoke(args=["clinics", "add", "Cafe\u0301 Clinic"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Clinic.name).where(Clinic.name.like("Caf%"))) == "Caf\u00e9 Clinic"
    make_patient(code="P-7")
    for duration in ("\u0665\u0660", "\uff15\uff10"):  # 50 in Arabic-Indic and in full-width digits
        result = runner.invoke(args=["sessions", "add", "P-7", "--status", "attended", "--duration", duration])
        assert result.exit_code == 2 and "digits 0-9" in result.output
    assert row_count(TherapySession) == 0


def test_every_text_and_number_option_of_the_apps_commands_applies_the_rule(app):
    guarded = 0
    for command in _commands(app.cli):
        if not command.callback.__module__.startswith(("feedback.", "dashboards.")):
            continue
        for param in command.params:
            if param.type.name == "text":
                with pytest.raises(click.BadParameter, match=REFUSED):
                    param.type.convert("a\u202eb", param, None)
                guarded += 1
            elif param.type.name in ("integer", "integer range"):
                with pytest.raises(click.BadParameter, match="digits 0-9"):
                    param.type.convert("\u0667", param, None)
                guarded += 1
    assert guarded >= 20


def _commands(group: click.Group):
    for command in group.commands.values():
        yield from _commands(command) if isinstance(command, click.Group) else (command,)


def _csv(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for cells in rows:
        writer.writerow([cells.get(column, "") for column in HEADER])
    return buffer.getvalue().encode()


def _row(number: str = "1", **cells: str) -> dict[str, str]:
    return {"patient_code": "P-101", "therapist_email": "anna@eastside.example", "session_number": number,
            "session_date": "2025-01-07", "attendance": "attended", "respondent": "patient",
            "instrument_id": "post-session-patient", **ANSWERS, **cells}


def test_an_import_names_the_row_of_each_hostile_cell_and_writes_nothing(runner, tmp_path):
    file = tmp_path / "history.csv"
    file.write_bytes(_csv(
        _row("1", comment="Fine\r\n\tthanks"),  # line breaks and tabs are fine in a cell
        _row("2", comment="Looks fine \u202eenil-non"),
        _row("3", patient_code="P-1\x1b02"),
        _row("9" * 5000),
        _row("4", bond_trust="\u0663"),  # 3 in Arabic-Indic digits
        _row("\uff15"),  # 5 in full-width digits
    ))
    result = runner.invoke(args=["import-csv", str(file), "--clinic", "Eastside", "--create-missing"])
    assert result.exit_code == 1
    assert "row 3, column comment: holds an invisible control character (U+202E)" in result.output
    assert "row 4, column patient_code: holds an invisible control character (U+001B)" in result.output
    assert "row 5, column session_number: '99999" in result.output and "is not a session number" in result.output
    assert "row 6, column bond_trust: '٣' is not a whole number" in result.output
    assert "row 7, column session_number: '５' is not a session number" in result.output
    assert "row 2" not in result.output and "Exceeds the limit" not in result.output and "9" * 100 not in result.output
    assert "5 problems" in result.output
    assert row_count(Clinic) == 0 and row_count(TherapySession) == 0
