"""`flask --app app import-csv`: a valid file round-trips to the app's own scores, a re-import
changes nothing, and a file with problems writes nothing and lists every problem by row and column."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboards.importer.csvfile import read_table
from dashboards.importer.operations import import_table
from feedback.extensions import db
from feedback.instruments.answers import parse_answers
from feedback.instruments.registry import registry
from feedback.instruments.scoring import score
from feedback.models import Clinic, Invitation, Patient, Response, TherapySession, User
from tests.importer.helpers import EXAMPLE, csv_line, csv_text, example_header, table_counts

CREATED_ALL = "created: 1 clinic, 2 therapists, 2 patients, 6 sessions, 7 questionnaires, 6 responses"
CREATED_NONE = "created: 0 clinics, 0 therapists, 0 patients, 0 sessions, 0 questionnaires, 0 responses"
PATIENT_ANSWERS = {"bond_understood": "4", "bond_trust": "4", "task_useful": "4", "task_fit": "3", "goal_agree": "4",
                   "goal_unclear": "2", "rupture": "no", "held_back": "1", "went_along": "2", "frustrated": "1"}


def questionnaire(code: str, number: int, respondent: str) -> Invitation:
    return db.session.scalars(
        select(Invitation).join(TherapySession).join(Patient)
        .where(Patient.code == code, TherapySession.number == number, Invitation.respondent == respondent)
    ).one()


def test_example_file_round_trips_to_the_app_scores(import_csv):
    result = import_csv(EXAMPLE.read_bytes(), "--create-missing", "--timezone", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    assert CREATED_ALL in result.output and "unchanged: 0 of 9 rows" in result.output

    # Every answered row, answered through the survey form's parser, gives the stored answers and scores.
    with EXAMPLE.open(encoding="utf-8") as f:
        answered = [r for r in csv.DictReader(f) if r["respondent"] and r["bond_understood"] + r["t_connected"]]
    assert len(answered) == 6
    for record in answered:
        instrument = registry().get(record["instrument_id"])
        form = {item.id: record[item.id].split(";") if item.type == "multiple_choice" else [record[item.id]]
                for item in instrument.items if record.get(item.id)}
        answers, errors = parse_answers(instrument, form)
        assert errors == {}
        response = questionnaire(record["patient_code"], int(record["session_number"]), record["respondent"]).response
        assert response.answers == answers
        assert response.scores == score(instrument, answers)

    # By hand: P-101 #1 patient: bond (4+4)/2, task (4+3)/2, goal (4 + (6-2))/2 (goal_unclear reversed),
    # alliance (4+4+4+3+4+4)/6. P-101 #2 therapist: bond (3+3)/2, task 2, goal 3, alliance (3+3+2+3)/4.
    assert questionnaire("P-101", 1, "patient").response.scores == {
        "bond": 4.0, "task": 3.5, "goal": 4.0, "alliance": 3.8333}
    assert questionnaire("P-101", 2, "therapist").response.scores == {
        "bond": 3.0, "task": 2.0, "goal": 3.0, "alliance": 2.75}
    assert questionnaire("P-101", 2, "patient").response.answers["comment"] == 'The homework felt like a "test", to be honest'
    assert questionnaire("P-101", 2, "therapist").response.answers["markers"] == ["withdrawal_away", "withdrawal_toward"]


def test_imported_records_look_like_the_live_apps(import_csv):
    assert import_csv(EXAMPLE.read_bytes(), "--create-missing", "--timezone", "Europe/Berlin").exit_code == 0
    clinic = db.session.scalars(select(Clinic)).one()
    assert (clinic.name, clinic.timezone) == ("Eastside", "Europe/Berlin")
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    assert [(u.email, u.role, u.password_hash, u.clinic_id) for u in accounts] == [
        ("anna@eastside.example", "therapist", None, clinic.id), ("ben@eastside.example", "therapist", None, clinic.id)]

    sessions = {(s.patient.code, s.number): s for s in db.session.scalars(select(TherapySession))}
    first = sessions["P-101", 1]
    # 09:00 in Berlin (UTC+1 in January), 50 minutes.
    assert first.starts_at == datetime(2025, 1, 7, 8, 0, tzinfo=UTC) and first.ends_at.minute == 50
    assert first.therapist.email == "anna@eastside.example" and first.patient.therapist_id == first.therapist_id
    assert sessions["P-101", 3].attendance == "no_show" and sessions["P-102", 2].attendance == "cancelled"
    invited = {(i.session.patient.code, i.session.number) for i in db.session.scalars(select(Invitation))}
    assert ("P-101", 3) not in invited and ("P-102", 2) not in invited  # missed sessions: no questionnaire

    answered = questionnaire("P-101", 1, "patient")
    assert answered.channel == "import" and answered.sent_at == answered.created_at == first.ends_at
    assert answered.completed_at == answered.response.submitted_at == first.ends_at
    assert answered.expires_at == first.ends_at + timedelta(hours=72) and answered.response.seconds_taken is None
    unanswered = questionnaire("P-101", 4, "patient")
    assert unanswered.response is None and unanswered.completed_at is None
    assert unanswered.expires_at < datetime.now(UTC)  # counts as not answered, not as still open


def test_reimporting_the_same_file_changes_nothing(import_csv):
    assert import_csv(EXAMPLE.read_bytes(), "--create-missing").exit_code == 0
    before = table_counts()
    responses = db.session.execute(select(Response.id, Response.answers, Response.submitted_at)).all()

    again = import_csv(EXAMPLE.read_bytes(), "--create-missing")
    assert again.exit_code == 0, again.output
    assert CREATED_NONE in again.output and "unchanged: 9 of 9 rows" in again.output
    assert table_counts() == before
    assert db.session.execute(select(Response.id, Response.answers, Response.submitted_at)).all() == responses


def test_the_operation_returns_the_patients_whose_flags_need_recomputing(app):
    table = read_table(EXAMPLE.read_bytes())
    outcome = import_table(table, clinic_name="Eastside", create_missing=True)
    assert outcome.problems == [] and outcome.written
    assert outcome.affected_patient_ids == set(db.session.scalars(select(Patient.id)))
    assert import_table(table, clinic_name="Eastside").affected_patient_ids == frozenset()


def test_dry_run_reports_and_writes_nothing(import_csv):
    before = table_counts()
    result = import_csv(EXAMPLE.read_bytes(), "--create-missing", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: " in result.output and CREATED_ALL.replace("created", "would create") in result.output
    assert table_counts() == before
    assert CREATED_ALL in import_csv(EXAMPLE.read_bytes(), "--create-missing").output


def test_excel_csv_with_byte_order_mark_and_crlf(import_csv):
    data = b"\xef\xbb\xbf" + EXAMPLE.read_bytes().replace(b"\n", b"\r\n")
    result = import_csv(data, "--create-missing")
    assert result.exit_code == 0, result.output
    assert CREATED_ALL in result.output


def test_unknown_therapists_need_create_missing(import_csv, make_clinic):
    make_clinic("Eastside")
    before = table_counts()
    refused = import_csv(EXAMPLE.read_bytes())
    assert refused.exit_code == 1
    assert "row 2, column therapist_email: no account for anna@eastside.example in Eastside" in refused.output
    assert "row 9, column therapist_email: no account for ben@eastside.example in Eastside" in refused.output
    assert table_counts() == before

    created = import_csv(EXAMPLE.read_bytes(), "--create-missing")
    assert created.exit_code == 0, created.output
    assert "created: 0 clinics, 2 therapists, 2 patients" in created.output
    assert "without a password" in created.output
    assert [u.password_hash for u in db.session.scalars(select(User))] == [None, None]


def test_unknown_clinic_without_create_missing(import_csv):
    result = import_csv(EXAMPLE.read_bytes(), clinic="Nowhere")
    assert result.exit_code == 1
    assert "--clinic: no clinic named 'Nowhere'; add it or use --create-missing" in result.output
    assert table_counts()["clinics"] == 0


def test_header_problems_are_reported_as_row_1(import_csv):
    header = "patient_code,therapist_email,session_number,attendance,instrument_id,bond_trust,bond_trust"
    result = import_csv(csv_text(header, "P-1,t@example.org,1,attended,post-session-patient,4,4"), "--create-missing")
    assert result.exit_code == 1
    assert "row 1, column session_date: this required column is missing" in result.output
    assert "row 1, column respondent: this required column is missing" in result.output
    assert "row 1, column bond_trust: this column appears more than once" in result.output
    assert "3 problems in" in result.output and "nothing was written" in result.output
    assert table_counts()["clinics"] == 0


def test_a_file_that_is_not_csv_gets_one_clear_line(import_csv):
    result = import_csv(b"PK\x03\x04\x14\x00\x06\x00\x08\x00")
    assert result.exit_code == 1 and "is not a CSV file" in result.output and "Traceback" not in result.output


def test_answers_for_a_session_recorded_live_complete_its_open_questionnaire(import_csv, make_clinic, make_user,
                                                                             make_patient, make_session):
    clinic = make_clinic("Eastside", "Europe/Berlin")
    therapist = make_user(clinic=clinic, email="anna@eastside.example")
    patient = make_patient(therapist, "P-101")
    make_session(patient, starts_at=datetime(2025, 1, 7, 14, 0, tzinfo=UTC))
    header = example_header()
    row = csv_line(header, patient_code="P-101", therapist_email="anna@eastside.example", session_number="1",
                   session_date="2025-01-07", attendance="attended", respondent="patient",
                   instrument_id="post-session-patient", **PATIENT_ANSWERS)
    result = import_csv(csv_text(",".join(header), row))
    assert result.exit_code == 0, result.output
    assert "created: 0 clinics, 0 therapists, 0 patients, 0 sessions, 0 questionnaires, 1 response" in result.output
    invitation = questionnaire("P-101", 1, "patient")
    assert invitation.channel == "link" and invitation.completed_at is not None
    assert invitation.response.scores["bond"] == 4.0


def test_a_different_answer_on_reimport_is_refused(import_csv):
    assert import_csv(EXAMPLE.read_bytes(), "--create-missing").exit_code == 0
    before = table_counts()
    changed = EXAMPLE.read_text(encoding="utf-8").replace(
        "P-101,anna@eastside.example,1,2025-01-07,attended,patient,post-session-patient,4,4,",
        "P-101,anna@eastside.example,1,2025-01-07,attended,patient,post-session-patient,4,5,")
    result = import_csv(changed, "--create-missing")
    assert result.exit_code == 1
    assert ("row 2, column bond_trust: the database already holds 4 for session 1 of P-101; the file says 5"
            in result.output)
    assert table_counts() == before


PROBLEM_LINE = re.compile(r"^row (\d+), column (\S+): ", re.MULTILINE)


@pytest.fixture
def eastside(make_clinic, make_user, make_patient):
    """Eastside with therapists anna and ben, an admin, and ben's patient P-200."""
    clinic = make_clinic("Eastside")
    make_user(clinic=clinic, email="anna@eastside.example")
    ben = make_user(clinic=clinic, email="ben@eastside.example")
    make_user(role="admin", clinic=clinic, email="admin@eastside.example")
    make_patient(ben, "P-200")
    return clinic


def test_a_file_with_many_problems_writes_nothing_and_lists_each_by_row_and_column(import_csv, eastside):
    header = example_header()

    def line(code: str, number: str = "1", day: str = "2025-02-03", respondent: str = "patient",
             email: str = "anna@eastside.example", attendance: str = "attended", **cells: str) -> str:
        items = (PATIENT_ANSWERS if respondent == "patient" else
                 {"t_connected": "4", "t_collab": "4", "t_task": "3", "t_goal": "4", "rupture": "no"})
        base = {"patient_code": code, "therapist_email": email, "session_number": number, "session_date": day,
                "attendance": attendance, "respondent": respondent, "instrument_id": f"post-session-{respondent}"}
        return csv_line(header, **{**base, **items, **cells})

    rows = [
        line("P-101"),                                               # 2: valid, yet not written
        line("E-03", bond_trust="7"),                                # 3: out of range
        line("E-04", rupture_tension="3"),                           # 4: follow-up of rupture = no
        line("E-05", goal_unclear=""),                               # 5: partial questionnaire
        line("E-06", t_connected="4"),                               # 6: not an item of the patient form
        line("E-07", attendance="no-show"),                          # 7: answers for a missed session
        line("E-08", day="2025-13-01"),                              # 8: no such date
        line("E-09", number="-1"),                                   # 9: not a session number
        line("P-200"),                                               # 10: P-200 is ben's patient
        line("P-101"),                                               # 11: same questionnaire as row 2
        line("P-101", day="2025-02-04", respondent="therapist"),     # 12: session 1 dated differently
        line("E-13", email="nobody@eastside.example"),               # 13: unknown therapist
        line("E-14", email="admin@eastside.example"),                # 14: an admin has no patients
        line("E-15", instrument_id="wai"),                           # 15: unknown instrument
        line("E-16", instrument_id="post-session-therapist"),        # 16: the therapist's form for the patient
        line("E-17", respondent="therapist", rupture="yes", rupture_tension="3", rupture_resolved="3",
             markers="withdrawal_away;shouting"),                    # 17: unknown option
        line("E-18", respondent="therapist", rupture="yes", rupture_resolved="3"),  # 18: follow-up missing
    ]
    before = table_counts()
    result = import_csv(csv_text(",".join(header), *rows))
    assert result.exit_code == 1
    assert table_counts() == before
    found = [(int(n), column) for n, column in PROBLEM_LINE.findall(result.output)]
    assert found == [
        (3, "bond_trust"), (4, "rupture_tension"), (5, "goal_unclear"), (6, "t_connected"), (7, "attendance"),
        (8, "session_date"), (9, "session_number"), (10, "therapist_email"), (11, "respondent"),
        (12, "session_date"), (13, "therapist_email"), (14, "therapist_email"), (15, "instrument_id"),
        (16, "instrument_id"), (17, "markers"), (18, "rupture_tension"),
    ]
    assert f"{len(found)} problems in" in result.output and "nothing was written" in result.output
    assert "admin@eastside.example is an admin account and cannot have patients" in result.output
    assert "'withdrawal_away;shouting' is not option ids joined by ';'" in result.output


def test_bad_time_zone_for_a_new_clinic(import_csv):
    result = import_csv(EXAMPLE.read_bytes(), "--create-missing", "--timezone", "Mars/Olympus")
    assert result.exit_code == 1
    assert "--timezone: unknown time zone 'Mars/Olympus'" in result.output
    assert table_counts()["clinics"] == 0


def test_a_conflicting_write_rolls_everything_back(app, monkeypatch):
    """Someone else creates the same record between the checks and the write: nothing is kept."""
    import dashboards.importer.operations as operation

    real_write = operation.write_plan

    def racing_write(plan, existing, **kwargs):
        patient_ids = real_write(plan, existing, **kwargs)
        db.session.add(Clinic(name="Eastside"))  # the same unique name as the clinic just planned
        db.session.flush()
        return patient_ids

    monkeypatch.setattr(operation, "write_plan", racing_write)
    outcome = import_table(read_table(EXAMPLE.read_bytes()), clinic_name="Eastside", create_missing=True)
    assert [str(p) for p in outcome.problems] == [
        "database: the database changed while the file was being imported; nothing was written, run it again"]
    assert not outcome.written and set(table_counts().values()) == {0}
