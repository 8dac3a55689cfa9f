"""The director's clinic overview at /clinic: what it shows, to whom, audited, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboards import director
from dashboards.audit.models import AuditEvent
from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Patient, utcnow
from tests.dashboards.builders import CALM, OPEN, UNANSWERED, UNRESOLVED, add_weekly, end_treatment
from tests.director.conftest import add_failed_sms


def section(html: str, heading_id: str) -> str:
    """The text of one <section>, found by its heading's id."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(1)


def table_rows(html: str) -> list[list[str]]:
    """Body rows of the first table in `html`, as cell texts."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [[re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.fixture
def page(client, clinics, sign_in_as):
    add_failed_sms(clinics.patients["B-WATCH"])
    sign_in_as(client, clinics.director)
    response = client.get("/clinic")
    assert response.status_code == 200
    return response.text


def test_director_sees_risk_levels_and_the_high_risk_list_with_links(page):
    figures = section(page, "at-risk")
    stats = re.findall(r'<span class="value">(\d+)</span>\s*(.*?)</li>', figures, re.S)
    assert [(n, re.sub(r"<[^>]+>", "", label).strip()) for n, label in stats] == [
        ("1", "High risk"), ("1", "Watch"), ("1", "No flag"), ("3", "active in all")]
    [row] = table_rows(figures)
    assert row[:2] == ["A-HIGH", "Alex Moreau"] and "not resolved" in row[2]
    assert '<a href="/patients/A-HIGH">A-HIGH</a>' in figures
    assert "8 of 11 (73%)" in figures  # questionnaires answered of due in the last 90 days


def test_supervision_lists_active_treatments_with_an_unresolved_rupture(page):
    rows = table_rows(section(page, "supervision"))
    assert [row[:3] for row in rows] == [["A-HIGH", "Alex Moreau", "2"]]  # A-DROP's rupture ended with it


def test_ended_treatments_by_month_have_a_table_alternative_to_the_chart(page, clinics):
    ended = section(page, "ended")
    assert 'data-chart-src="/clinic/ended.json"' in ended
    assert 'aria-describedby="ended-table"' in ended and 'id="ended-table"' in ended
    today = utcnow().date()
    drop, done = today - timedelta(days=40), today - timedelta(days=5)
    rows = {row[0]: row[1:] for row in table_rows(ended)}
    # columns: completed, dropped out, transferred, ended, dropout rate
    # Months as a reader says them ("Oct 2026"; Python's own strftime is not localised).
    assert rows[f"{drop:%b %Y}"][1] == "1" and rows[f"{drop:%b %Y}"][4] == "100%"
    assert rows[f"{done:%b %Y}"][0] == "1" and rows[f"{done:%b %Y}"][4] == "0%"


def test_calibration_compares_dropout_with_counts_and_a_caution(page):
    calibration = section(page, "calibration")
    assert table_rows(calibration) == [["Ever rated high risk", "1 of 1 (100%)"], ["Never rated high risk", "0 of 1 (0%)"]]
    assert "Small numbers" in calibration
    assert "not a prediction of what will happen in any one" in calibration


def test_the_small_numbers_warning_goes_once_both_groups_are_large_enough(client, clinics, sign_in_as, monkeypatch):
    monkeypatch.setattr(director, "SMALL_GROUP", 1)  # one ended treatment in each group here
    sign_in_as(client, clinics.director)
    calibration = section(client.get("/clinic").text, "calibration")
    assert "Small numbers" not in calibration and "not a prediction" in calibration


def test_therapists_are_listed_by_name_with_support_figures_and_no_score(page):
    therapists = section(page, "therapists")
    assert table_rows(therapists) == [
        ["Alex Moreau", "2", "1", "6 of 6 (100%)"],
        ["Blake Okafor", "1", "0", "2 of 5 (40%)"],
        ["Casey Lund", "0", "0", "none due yet"],
    ]
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', therapists)
    assert not [h for h in headers if re.search(r"alliance|score|rank", h, re.I)]


def test_delivery_problems_audit_trail_and_export_are_linked(page):
    [problem] = table_rows(section(page, "delivery"))
    assert problem[:4] == ["B-WATCH", "Invitation", "failed", "recipient opted out (replied STOP)"]
    data = section(page, "data")
    assert 'href="/clinic/audit"' in data and 'href="/clinic/export.csv"' in data


def test_viewing_the_overview_is_audited(page, clinics):
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view_clinic_overview")).all()
    assert (event.user_id, event.clinic_id, event.patient_id) == (clinics.director.id, clinics.north.id, None)


def test_a_director_never_sees_another_clinics_patients_or_people(client, clinics, sign_in_as):
    add_failed_sms(clinics.patients["P-SOUTH"])
    sign_in_as(client, clinics.director)
    north = client.get("/clinic").text
    assert "P-SOUTH" not in north and "Sol Southern" not in north
    sign_in_as(client, clinics.south_director)
    south = client.get("/clinic").text
    assert "P-SOUTH" in south
    assert not [word for word in ("A-HIGH", "B-WATCH", "Alex Moreau", "Blake Okafor") if word in south]
    chart = client.get("/clinic/ended.json").json
    assert {month for trace in chart["data"] for month in trace["x"]} == set()  # Southside: nothing ended


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_only_directors_see_the_overview(client, clinics, sign_in_as, make_user, role):
    sign_in_as(client, clinics.alex if role == "therapist" else make_user("admin", clinics.north))
    for url in ("/clinic", "/clinic/ended.json", "/clinic/export.csv"):
        assert client.get(url).status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("%clinic%"))) is None


def test_the_chart_data_counts_ended_treatments_by_reason_and_month(client, clinics, sign_in_as):
    sign_in_as(client, clinics.director)
    figure = client.get("/clinic/ended.json").json
    by_name = {trace["name"]: trace for trace in figure["data"]}
    assert sum(by_name["Dropped out"]["y"]) == 1 and sum(by_name["Completed"]["y"]) == 1
    assert by_name["Dropout rate"]["yaxis"] == "y2"


def test_an_empty_clinic_shows_plain_empty_states(client, make_clinic, make_user, sign_in_as):
    sign_in_as(client, make_user("director", make_clinic("Empty")))
    page = client.get("/clinic").text
    assert "No active treatment is rated high risk." in page
    assert "No treatment has ended yet." in page and "data-chart-src" not in page
    calibration = section(page, "calibration")
    assert "nothing to compare" in calibration and "Small numbers" not in calibration
    assert "plotly" not in page  # no chart, no chart library


PATTERNS = [[CALM, CALM, OPEN], [CALM, UNRESOLVED], [CALM, UNANSWERED, UNANSWERED, UNANSWERED], [CALM]]


def _clinic_of(n: int, make_clinic, make_user) -> tuple:
    now = utcnow()
    clinic = make_clinic(f"Clinic of {n}")
    therapists = [make_user(clinic=clinic) for _ in range(3)]
    director = make_user("director", clinic)
    patients = []
    for i in range(n):
        patient = Patient(clinic=clinic, therapist=therapists[i % 3], code=f"P-{i:03d}")
        db.session.add(patient)
        pattern = PATTERNS[i % 4]
        add_weekly(patient, [(form, None) for form in pattern], first=now - timedelta(weeks=max(3, len(pattern))), now=now)
        if i % 5 == 4:
            end_treatment(patient, "dropped_out" if i % 2 else "completed", (now - timedelta(days=3 * i)).date())
        patients.append(patient)
    db.session.commit()
    recompute_patients([p.id for p in patients], now=now)
    for patient in patients[::7]:
        add_failed_sms(patient)
    db.session.expire_all()
    return director


def test_the_page_takes_as_many_statements_for_100_patients_as_for_10(
    app, make_clinic, make_user, sign_in_as, count_statements
):
    counts = {}
    for n in (10, 100):
        director = _clinic_of(n, make_clinic, make_user)
        client = app.test_client()
        sign_in_as(client, director)
        db.session.expire_all()
        seen, pages = {}, {}
        for url in ("/clinic", "/clinic/ended.json"):
            with count_statements() as statements:
                pages[url] = client.get(url)
            assert pages[url].status_code == 200
            seen[url] = len(statements)
        counts[n] = seen
    assert counts[10] == counts[100]
    # The 100-patient page really lists them: P-097 has an unresolved rupture and is still in treatment.
    assert '<a href="/patients/P-097">P-097</a>' in pages["/clinic"].text
