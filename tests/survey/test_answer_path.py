"""The survey's physical work and nothing more: the page is the token lookup and one render, the
answer the token lookup, the claim of the link, one insert and the treatment's mark, in one
transaction (on PostgreSQL one statement). Flags are the worker's (dashboards/risk/changed.py),
seconds later."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager

import jsonschema
import pytest
import yaml
from sqlalchemy import select

from dashboards.risk.changed import evaluate_changed
from dashboards.risk.models import PatientRisk
from feedback.extensions import db
from feedback.models import Patient, SafetyAlert
from tests.battery.helpers import BOTH_EVERY_SESSION, GAD7_FORM, PHQ9_FORM, send, set_clinic_battery
from tests.conftest import csrf_token_from
from tests.factories import PATIENT_FORM
from tests.statements import ALONE, COMMIT, sent_statements


def transactions() -> AbstractContextManager[list[str]]:
    """Every SQL statement sent meanwhile, COMMIT where the session's transaction ended, and ALONE
    before a statement that was a transaction of its own, on a connection in autocommit."""
    return sent_statements(marked=True)


def _kinds(seen: list[str]) -> list[str]:
    """Each statement as its verb and table ("SELECT invitations"), COMMIT as is; a statement with
    data-modifying WITH parts as its writes in order, joined by " + "."""
    kinds = []
    for sent in seen:
        sql = " ".join(sent.removeprefix(ALONE).split())
        words = sql.split()
        if sql == COMMIT:
            kind = COMMIT
        elif words[0] == "WITH":
            kind = " + ".join(f"{verb.split()[0]} {table}"
                              for verb, table in re.findall(r"\b(UPDATE|INSERT INTO) (\w+)", sql))
        elif words[0] == "SELECT":
            kind = "SELECT " + words[words.index("FROM") + 1]
        elif words[0] == "INSERT":
            kind = "INSERT " + words[2]
        else:
            kind = f"{words[0]} {words[1]}"
        kinds.append(kind + (", alone" if sent.startswith(ALONE) else ""))
    return kinds


def test_the_page_is_one_lookup_and_the_answer_one_transaction_that_marks_the_treatment(client, make_session):
    recorded = make_session()
    patient_id, path = recorded.session.patient_id, f"/s/{recorded.links['patient'].token}"
    client.get(path)  # the first opening records when (one more statement, once per link)

    with transactions() as page_work:
        page = client.get(path)
    with transactions() as answer_work:
        answer = client.post(path, data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})

    assert page.status_code == 200 and answer.status_code == 303
    if db.engine.dialect.name == "postgresql":  # one statement: the insert and the mark only if the claim took
        assert _kinds(page_work) == ["SELECT invitations, alone"]
        assert _kinds(answer_work) == ["SELECT invitations, alone",
                                       "UPDATE invitations + UPDATE patients + INSERT responses, alone"]
    else:
        assert _kinds(page_work) == ["SELECT invitations"]
        assert _kinds(answer_work) == ["SELECT invitations", "UPDATE invitations", "INSERT responses",
                                       "UPDATE patients", COMMIT]
    assert not any("patient_risks" in sql or "risk_events" in sql for sql in answer_work)  # no flags evaluated

    db.session.expire_all()
    assert db.session.get(Patient, patient_id).flags_stale_at is not None
    assert evaluate_changed() == 1  # the worker's poll, seconds later
    assert db.session.get(PatientRisk, patient_id) is not None
    assert db.session.get(Patient, patient_id).flags_stale_at is None


def test_on_postgresql_the_page_and_the_answer_open_no_transaction(client, make_session):
    """The page's lookup, and the answer's lookup and one statement, go past the session, each a
    transaction of its own on a connection in autocommit: no BEGIN, no COMMIT, no ROLLBACK, and
    nothing on the session's connection (feedback/alone.py)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pysqlite begins a transaction only before a write: there is nothing to save")
    path = f"/s/{make_session().links['patient'].token}"
    client.get(path)  # the first opening
    db.session.rollback()  # the test's own reads: a request starts with a session holding nothing
    with transactions() as work:
        page = client.get(path)
        client.post(path, data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert work and all(sent.startswith(ALONE) for sent in work), work
    assert len(work) == 3  # the page's lookup; the answer's lookup and its statement


def test_the_battery_pages_read_only(client, make_session, make_patient):
    """The outcome form's page and the battery's thank-you page run without a transaction on
    PostgreSQL (without_transaction), where a second write would be committed on its own: they
    write nothing."""
    patient = make_patient()
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    path = f"/s/{make_session(patient).links['patient'].token}"
    assert send(client, path, PATIENT_FORM).status_code == 303
    with transactions() as outcome_page:
        assert client.get(f"{path}/phq-9").status_code == 200
    assert send(client, f"{path}/phq-9", PHQ9_FORM).status_code == 303
    assert send(client, f"{path}/gad-7", GAD7_FORM).status_code == 303
    with transactions() as thanks_page:
        assert client.get(f"{path}/thanks").status_code == 200
    for work in (outcome_page, thanks_page):
        assert work and all(kind.startswith("SELECT ") for kind in _kinds(work)), _kinds(work)


def _answer_phq9(client, make_session, patient: Patient, **answers: str) -> list[str]:
    """The statements of a PHQ-9 answer on a new session's link, the alliance form answered first."""
    set_clinic_battery(patient.clinic, BOTH_EVERY_SESSION)
    path = f"/s/{make_session(patient).links['patient'].token}"
    assert send(client, path, PATIENT_FORM).status_code == 303
    page = client.get(f"{path}/phq-9")
    with transactions() as answer_work:
        answer = client.post(f"{path}/phq-9", data={**PHQ9_FORM, **answers, "csrf_token": csrf_token_from(page.text)})
    assert answer.status_code == 303
    return answer_work


def test_an_outcome_answer_its_safety_alert_and_the_mark_are_one_transaction(client, make_session, make_patient):
    patient = make_patient()
    answer_work = _answer_phq9(client, make_session, patient, phq9_9="2")
    kinds = _kinds(answer_work)
    stored = kinds.index("INSERT outcome_responses")
    ends = kinds.index(COMMIT, stored)
    assert {"INSERT safety_alerts", "UPDATE patients"} <= set(kinds[stored:ends])  # before the same commit
    assert not any("patient_risks" in sql or "risk_events" in sql for sql in answer_work)
    assert db.session.scalars(select(SafetyAlert.patient_id)).all() == [patient.id]


def test_an_outcome_answer_without_an_alert_reads_no_patient(client, make_session, make_patient):
    """The patient's row is for an alert's signal (its audit rows name the patient): loaded only then."""
    kinds = _kinds(_answer_phq9(client, make_session, make_patient()))
    assert "INSERT outcome_responses" in kinds and "SELECT patients" not in kinds


def test_a_page_and_an_answer_read_no_instrument_file_and_compile_no_template(app, client, make_session, monkeypatch):
    """Instrument files are parsed and checked once per process, templates compiled once: a survey
    request that did either again would pay for it on every phone."""
    first, second = make_session(), make_session()
    client.get(f"/s/{first.links['patient'].token}")  # the process's first page: templates compiled
    path = f"/s/{second.links['patient'].token}"
    client.get(path)  # its first opening

    def refuse(*args, **kwargs):
        raise AssertionError("per-request work")

    monkeypatch.setattr(yaml, "load", refuse)
    monkeypatch.setattr(jsonschema, "Draft202012Validator", refuse)
    monkeypatch.setattr(app.jinja_env, "compile", refuse)
    page = client.get(path)
    answer = client.post(path, data={**PATIENT_FORM, "csrf_token": csrf_token_from(page.text)})
    assert page.status_code == 200 and answer.status_code == 303
    with pytest.raises(AssertionError, match="per-request work"):  # the spies do catch a compilation
        app.jinja_env.compile("{{ 1 }}")
