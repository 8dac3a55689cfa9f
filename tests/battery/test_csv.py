"""The outcome measures in the CSVs: the clinic's long export, the patient's CSV, and the import
(all or nothing, the same problem messages, a re-import changes nothing), round trip included."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dashboards.export import export_lines, score_scales
from dashboards.importer.csvfile import read_table
from dashboards.importer.operations import import_table
from feedback.extensions import db
from feedback.models import Clinic, OutcomeResponse, Patient, Response
from tests.battery.helpers import BOTH_EVERY_SESSION, GAD7_FORM, PHQ9_FORM, send, set_clinic_battery
from tests.factories import PATIENT_FORM
from tests.importer.helpers import table_counts

PHQ9 = [f"phq9_{i}" for i in range(1, 10)]
GAD7 = [f"gad7_{i}" for i in range(1, 8)]
HEADER = ["patient_code", "therapist_email", "session_number", "session_date", "attendance", "respondent",
          "instrument_id", *PATIENT_FORM, *PHQ9, "phq9_difficulty", *GAD7]
ALLIANCE_ANSWERS = {**PATIENT_FORM, "comment": "Fine."}


def _battery_answered(client, make_session, make_patient, code="P-OUT") -> Patient:
    patient = make_patient(code=code)
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    path = f"/s/{make_session(patient).links['patient'].token}"
    send(client, path, PATIENT_FORM)
    send(client, f"{path}/phq-9", PHQ9_FORM)
    send(client, f"{path}/gad-7", GAD7_FORM)
    return patient


def _export(clinic: Clinic) -> list[dict[str, str]]:
    text = "".join(export_lines(clinic.id, ZoneInfo(clinic.timezone), score_scales()))
    return list(csv.DictReader(io.StringIO(text)))


def _file(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(number=1, instrument="post-session-patient", **cells) -> dict[str, str]:
    session = {"patient_code": "P-IMP", "therapist_email": "t@eastside.example", "session_number": str(number),
               "session_date": f"2025-03-{number + 2:02d}", "attendance": "attended", "respondent": "patient",
               "instrument_id": instrument}
    return {**session, **cells}


def _phq9(total_of_ones=9, item9="0") -> dict[str, str]:
    return {**{item: "1" for item in PHQ9[:total_of_ones]}, **{item: "0" for item in PHQ9[total_of_ones:]},
            "phq9_9": item9}


def _import(data: bytes, **options):
    return import_table(read_table(data), clinic_name="Eastside", create_missing=True, timezone="Europe/London",
                        **options)


def test_the_long_export_carries_each_outcome_measure_after_its_alliance_form(client, make_session, make_patient):
    patient = _battery_answered(client, make_session, make_patient)
    rows = _export(patient.clinic)
    instruments = [r["instrument_id"] for r in rows if r["respondent"] == "patient"]
    assert instruments == ["post-session-patient"] * 13 + ["phq-9"] * 10 + ["gad-7"] * 7
    phq = {r["item_id"]: r for r in rows if r["instrument_id"] == "phq-9"}
    assert phq["phq9_4"]["value"] == "2" and phq["phq9_difficulty"]["value"] == "somewhat"
    assert {r["score_phq9"] for r in phq.values()} == {"9.0"} and {r["score_alliance"] for r in phq.values()} == {""}
    gad = [r for r in rows if r["instrument_id"] == "gad-7"]
    assert {r["score_gad7"] for r in gad} == {"7.0"} and {r["instrument_version"] for r in gad} == {"1"}


def test_the_patients_csv_has_a_row_per_outcome_measure(client, make_session, make_patient, as_user):
    patient = _battery_answered(client, make_session, make_patient)
    page = as_user(patient.therapist).get(f"/patients/{patient.code}/export.csv")
    rows = list(csv.DictReader(io.StringIO(page.text)))
    assert [(r["session"], r["respondent"], r["instrument_id"]) for r in rows] == [
        ("1", "patient", "post-session-patient"), ("1", "patient", "phq-9"), ("1", "patient", "gad-7")]
    assert rows[1]["phq9_9"] == "0" and rows[1]["bond_trust"] == "" and rows[2]["gad7_7"] == "1"


def test_the_patients_csv_names_each_forms_version_and_language(client, make_session, make_patient, as_user):
    patient = _battery_answered(client, make_session, make_patient)
    db.session.scalars(select(OutcomeResponse).where(OutcomeResponse.instrument_id == "gad-7")).one().language = "es"
    db.session.commit()
    page = as_user(patient.therapist).get(f"/patients/{patient.code}/export.csv")
    header, *_ = csv.reader(io.StringIO(page.text))
    assert header[:6] == ["session", "respondent", "instrument_id", "instrument_version", "language", "submitted_at"]
    clinic = {r["instrument_id"]: (r["instrument_version"], r["language"]) for r in _export(patient.clinic)}
    rows = list(csv.DictReader(io.StringIO(page.text)))
    assert {r["instrument_id"]: (r["instrument_version"], r["language"]) for r in rows} == clinic
    assert clinic["gad-7"] == ("1", "es") and clinic["phq-9"] == ("1", "en")


def test_import_stores_outcome_answers_on_the_sessions_patient_form_and_a_reimport_changes_nothing(app):
    data = _file(_row(1, **ALLIANCE_ANSWERS), _row(1, "phq-9", **_phq9(item9="2")),
                 _row(1, "gad-7", **{item: "2" for item in GAD7}),
                 _row(2, "phq-9", **_phq9(4)), _row(2, **ALLIANCE_ANSWERS))  # any order in the file
    outcome = _import(data)
    assert outcome.problems == [] and len(outcome.plan.outcomes) == 3
    stored = db.session.scalars(select(OutcomeResponse).order_by(OutcomeResponse.id)).all()
    assert [(r.instrument_id, r.invitation.session.number, r.scores) for r in stored] == [
        ("phq-9", 1, {"phq9": 10.0}), ("gad-7", 1, {"gad7": 14.0}), ("phq-9", 2, {"phq9": 4.0})]
    alliance = {r.invitation_id: r.invitation.session.number for r in db.session.scalars(select(Response))}
    assert {alliance[r.invitation_id] for r in stored} == {1, 2}
    assert stored[0].submitted_at == stored[0].invitation.completed_at  # at the session's end, as the form
    before = table_counts()
    again = _import(data)
    assert again.problems == [] and again.plan.outcomes == [] and again.plan.unchanged_rows == 5
    assert table_counts() == before


def test_import_problems_are_named_and_nothing_is_written(app):
    _import(_file(_row(1, **ALLIANCE_ANSWERS), _row(1, "phq-9", **_phq9())))
    before = table_counts()
    data = _file(
        _row(1, "phq-9", **_phq9(item9="3")),  # 3: conflicts with the stored answer
        _row(3, "phq-9", **_phq9()),  # no patient form for session 3 in the file or the database
        _row(4, **ALLIANCE_ANSWERS), _row(4, "gad-7"),  # an outcome row without answers
        _row(4, "phq-9", **_phq9()), _row(4, "phq-9", **_phq9()),  # twice
        _row(5, "phq-9", **{**_phq9(), "phq9_1": "4"}),  # out of range
        _row(6, "phq-9", **_phq9(), bond_trust="4"),  # another instrument's item
    )
    messages = {(p.row, p.column): p.message for p in _import(data).problems}
    assert messages[(2, "phq9_9")] == ("the database already holds 0 for session 1 of P-IMP; the file says 3")
    assert messages[(3, "instrument_id")].startswith("session 3 of P-IMP has no patient questionnaire in the file")
    assert messages[(5, "instrument_id")] == "gad-7 is an outcome measure: a row of it holds answers; this one has none"
    assert messages[(7, "respondent")].startswith("session 4 of P-IMP already has a row for the patient's phq-9 (row 6)")
    assert messages[(8, "phq9_1")].endswith("is not a whole number from 0 to 3")
    assert messages[(9, "bond_trust")] == "is not an item of phq-9 version 1"
    assert table_counts() == before


def test_a_round_trip_export_then_import_gives_the_same_answers(client, make_session, make_patient):
    patient = _battery_answered(client, make_session, make_patient, code="P-RT")
    exported = _export(patient.clinic)
    wide: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in exported:  # long to wide: one row per questionnaire, as the import reads
        key = (r["session_number"], r["respondent"], r["instrument_id"])
        row = wide.setdefault(key, {"patient_code": r["patient_code"], "therapist_email": "rt@elsewhere.example",
                                    "session_number": r["session_number"], "session_date": r["session_date"],
                                    "attendance": "attended", "respondent": r["respondent"],
                                    "instrument_id": r["instrument_id"]})
        row[r["item_id"]] = r["value"]
    header = sorted({column for row in wide.values() for column in row})
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=header).writeheader()
    csv.DictWriter(out, fieldnames=header).writerows(wide.values())
    outcome = import_table(read_table(out.getvalue().encode()), clinic_name="Elsewhere", create_missing=True,
                           timezone=patient.clinic.timezone)
    assert outcome.problems == []
    elsewhere = db.session.scalars(select(Clinic).where(Clinic.name == "Elsewhere")).one()
    assert _export(elsewhere) == exported
