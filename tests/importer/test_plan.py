"""Rows against what the database holds: what is created, what is left alone, what conflicts (no app)."""

from __future__ import annotations

from datetime import date

from dashboards.importer.existing import Existing, KnownPatient, KnownQuestionnaire, KnownSession, KnownTherapist
from dashboards.importer.plan import plan_import
from dashboards.importer.rows import ImportRow, Questionnaire
from feedback.instruments.loader import BUILTIN_DIR, load_file

PATIENT = load_file(BUILTIN_DIR / "post-session-patient.yaml")
ANSWERS = {"bond_understood": 4, "bond_trust": 5, "task_useful": 4, "task_fit": 3, "goal_agree": 4, "goal_unclear": 2,
           "rupture": False, "held_back": 1, "went_along": 2, "frustrated": 1}
DAY = date(2025, 3, 4)


def row(number: int = 2, session: int = 1, answers: dict | None = ANSWERS, email: str = "t@example.org") -> ImportRow:
    return ImportRow(number, "P-1", email, session, DAY, "attended", "patient", Questionnaire("patient", PATIENT, answers))


def stored(answers: dict | None = ANSWERS, version: str = "1") -> Existing:
    """The clinic already holds P-1's first session and its patient questionnaire."""
    return Existing(
        clinic_id=1,
        therapists={"t@example.org": KnownTherapist(10)},
        patients={"P-1": KnownPatient(20, "t@example.org")},
        sessions={("P-1", 1): KnownSession(30, DAY, "attended", "t@example.org")},
        questionnaires={("P-1", 1, "patient"): KnownQuestionnaire(40, PATIENT.id, version, answers)},
    )


def plan(rows, existing, create_missing=False):
    result, problems = plan_import(rows, existing, clinic_name="Eastside", create_missing=create_missing)
    return result, [str(p) for p in problems]


def test_an_empty_clinic_gets_everything_created_once():
    result, problems = plan([row(2), row(3, session=2, answers=None)], Existing(), create_missing=True)
    assert problems == []
    assert result.create_clinic and result.therapists == ["t@example.org"] and result.patients == {"P-1": "t@example.org"}
    assert [r.row for r in result.sessions] == [2, 3] and [r.row for r in result.questionnaires] == [2, 3]
    assert result.responses == 1 and result.unchanged_rows == 0


def test_missing_clinic_and_therapist_without_create_missing():
    _, problems = plan([row()], Existing())
    assert problems == [
        "--clinic: no clinic named 'Eastside'; add it or use --create-missing",
        "row 2, column therapist_email: no account for t@example.org in Eastside; add it or use --create-missing",
    ]


def test_an_account_that_cannot_take_patients_is_refused_even_with_create_missing():
    existing = Existing(clinic_id=1, therapists={"t@example.org": KnownTherapist(10, "no clinician t@example.org in X")})
    _, problems = plan([row()], existing, create_missing=True)
    assert problems == ["row 2, column therapist_email: no clinician t@example.org in X"]


def test_identical_rows_change_nothing():
    result, problems = plan([row()], stored())
    assert problems == [] and result.unchanged_rows == 1
    assert (result.sessions, result.questionnaires, result.answers_for_existing, result.patients) == ([], [], [], {})


def test_answers_for_a_questionnaire_stored_unanswered_are_added():
    result, problems = plan([row()], stored(answers=None))
    assert problems == [] and [(i, r.row) for i, r in result.answers_for_existing] == [(40, 2)]
    assert result.responses == 1 and result.unchanged_rows == 0


def test_a_different_answer_is_never_overwritten():
    _, problems = plan([row(answers={**ANSWERS, "bond_trust": 2, "rupture": True, "rupture_tension": 3,
                                     "rupture_resolved": 4})], stored())
    assert problems == [
        "row 2, column bond_trust: the database already holds 5 for session 1 of P-1; the file says 2",
        "row 2, column rupture: the database already holds no for session 1 of P-1; the file says yes",
        "row 2, column rupture_tension: the database already holds (empty) for session 1 of P-1; the file says 3",
        "row 2, column rupture_resolved: the database already holds (empty) for session 1 of P-1; the file says 4",
    ]


def test_an_answered_questionnaire_is_not_made_unanswered():
    _, problems = plan([row(answers=None)], stored())
    assert problems == [
        "row 2, column respondent: the patient's questionnaire for session 1 of P-1 is already answered in the database"
    ]


def test_another_instrument_version_conflicts():
    _, problems = plan([row()], stored(version="0.9"))
    assert problems == ["row 2, column instrument_id: session 1 of P-1 already has a patient questionnaire "
                        "post-session-patient version 0.9"]


def test_session_and_patient_conflicts():
    existing = stored()
    existing.therapists["other@example.org"] = KnownTherapist(11)
    existing.sessions["P-1", 1] = KnownSession(30, date(2025, 3, 5), "scheduled", "t@example.org")
    _, problems = plan([row(email="other@example.org")], existing)
    assert problems == [
        "row 2, column therapist_email: patient P-1 is with t@example.org in the database",
        "row 2, column session_date: session 1 of P-1 is already recorded on 2025-03-05",
        "row 2, column attendance: session 1 of P-1 is already recorded as scheduled",
        "row 2, column therapist_email: session 1 of P-1 is already recorded with t@example.org",
    ]
