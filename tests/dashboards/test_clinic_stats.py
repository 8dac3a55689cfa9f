"""The director's overview of one clinic, from a small hand-built clinic."""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import pytest

from dashboards.charts import clinic as made_clinic
from dashboards.clinic_stats import EndedMonth, Rate, clinic_overview
from dashboards.response_rates import count_responses
from dashboards.risk.store import recompute_patients
from feedback.extensions import db
from feedback.models import Patient
from feedback.phrases import ENGLISH, said
from tests.dashboards.builders import CALM, NOW, OPEN, UNANSWERED, UNRESOLVED, add_weekly, end_treatment

FIRST = NOW - timedelta(weeks=3)


@pytest.fixture
def clinic(make_clinic, make_user, make_patient):
    clinic = make_clinic()
    # Blake is created first: the per-therapist list must follow names, not ids.
    blake = make_user(clinic=clinic, email="blake@example.org", display_name="Blake Okafor")
    alex = make_user(clinic=clinic, email="alex@example.org", display_name="Alex Moreau")
    make_user(role="director", clinic=clinic)
    treatments = {
        ("A-HIGH", alex): [CALM, UNRESOLVED],
        ("A-CALM", alex): [CALM, CALM, OPEN],
        ("A-DROP", alex): [CALM, UNRESOLVED],
        ("A-DONE", alex): [CALM, CALM],
        ("B-WATCH", blake): [CALM, UNANSWERED, UNANSWERED, UNANSWERED],
        ("B-DROP", blake): [CALM, CALM],
        ("B-DONE", blake): [CALM],
    }
    patients = {}
    for (code, therapist), forms in treatments.items():
        patients[code] = make_patient(therapist, code)
        # Weekly up to last week, so that B-WATCH's three unanswered forms have all expired.
        add_weekly(patients[code], [(form, None) for form in forms], first=NOW - timedelta(weeks=max(3, len(forms))))
    end_treatment(patients["A-DROP"], "dropped_out", date(2024, 3, 20))
    end_treatment(patients["A-DONE"], "completed", date(2024, 3, 5))
    end_treatment(patients["B-DROP"], "dropped_out", date(2024, 5, 2))
    end_treatment(patients["B-DONE"], "transferred", date(2024, 5, 30))
    elsewhere = make_patient(make_user(), "ELSEWHERE")  # another clinic: never counted
    add_weekly(elsewhere, [(UNRESOLVED, None)], first=FIRST)
    db.session.commit()
    recompute_patients([p.id for p in (*patients.values(), elsewhere)], now=NOW, full_history=True)
    return clinic, alex, blake


def test_active_patients_by_risk_and_the_high_risk_list(clinic):
    overview = clinic_overview(clinic[0].id, NOW)
    assert overview.active_by_risk == {"high": 1, "watch": 1, "none": 1}
    assert overview.active == 3
    [case] = overview.high_risk
    assert (case.code, case.therapist) == ("A-HIGH", "Alex Moreau")
    assert "not resolved" in case.main_reason


def test_response_rates_for_the_clinic_and_per_therapist(clinic):
    _, alex, blake = clinic
    overview = clinic_overview(clinic[0].id, NOW)
    figures = {t.name: t for t in overview.therapists}
    # Alex: 2 + 2 (+1 open, not due) + 2 + 2 answered; Blake: 1 of 4, 2, 1.
    assert figures["Alex Moreau"].response == Rate(8, 8)
    assert figures["Blake Okafor"].response == Rate(4, 7)
    assert overview.response == Rate(12, 15)
    narrow = count_responses(clinic[0].id, NOW, window=timedelta(weeks=2, days=3))
    assert sum(due for _, due in narrow.values()) < overview.response.total  # only sessions inside the window


def test_per_therapist_figures_by_name_without_scores(clinic):
    overview = clinic_overview(clinic[0].id, NOW)
    assert [t.name for t in overview.therapists] == ["Alex Moreau", "Blake Okafor"]
    alex, blake = overview.therapists
    assert (alex.caseload, alex.open_high) == (2, 1)
    assert (blake.caseload, blake.open_high) == (1, 0)
    assert not any("alliance" in name or "score" in name for name in vars(alex))  # no league table material


def test_ended_treatments_by_month_with_dropout_rate(clinic):
    months = clinic_overview(clinic[0].id, NOW).ended_by_month
    assert [m.month for m in months] == ["2024-03", "2024-04", "2024-05"]  # April shown as zero, not skipped
    march, april, may = months
    assert march.by_reason == {"completed": 1, "dropped_out": 1, "transferred": 0}
    assert march.dropout == Rate(1, 2) and march.dropout.value == 0.5
    assert april.ended == 0 and april.dropout.value is None
    assert may.by_reason == {"completed": 0, "dropped_out": 1, "transferred": 1}


def test_unresolved_ruptures_for_supervision(clinic):
    [case] = clinic_overview(clinic[0].id, NOW).supervision
    assert (case.code, case.therapist, case.sessions) == ("A-HIGH", "Alex Moreau", (2,))
    assert "not resolved" in case.reason


def test_flag_calibration_among_ended_treatments(clinic):
    calibration = clinic_overview(clinic[0].id, NOW).calibration
    assert calibration.ever_high == Rate(1, 1)  # A-DROP was rated high and dropped out
    assert calibration.never_high == Rate(1, 3)  # B-DROP dropped out; A-DONE and B-DONE did not
    assert calibration.not_evaluated == 0


def test_empty_clinic(make_clinic):
    overview = clinic_overview(make_clinic().id, NOW)
    assert overview.active == 0 and overview.high_risk == [] and overview.ended_by_month == []
    assert overview.response.value is None and overview.calibration.ever_high == Rate(0, 0)


def test_treatments_never_evaluated_are_counted_apart(make_clinic, make_user, make_patient):
    clinic = make_clinic()
    patient = make_patient(make_user(clinic=clinic))
    end_treatment(patient, "dropped_out", date(2024, 1, 1))
    db.session.commit()
    overview = clinic_overview(clinic.id, NOW)
    assert overview.calibration.not_evaluated == 1 and overview.calibration.never_high == Rate(0, 0)
    assert db.session.get(Patient, patient.id).status == "ended"


def ended_by_month_chart(months):
    """The figure as an English page gets it (the chart builds phrases, the view says them)."""
    return said(made_clinic.ended_by_month_chart(months), ENGLISH)


def test_ended_by_month_chart(clinic):
    figure = ended_by_month_chart(clinic_overview(clinic[0].id, NOW).ended_by_month)
    go.Figure(figure)  # valid plotly
    bars = {t["name"]: t["y"] for t in figure["data"] if t["type"] == "bar"}
    assert bars == {"Completed": [1, 0, 0], "Dropped out": [1, 0, 1], "Transferred": [0, 0, 1]}
    rate = next(t for t in figure["data"] if t["name"] == "Dropout rate")
    assert rate["y"] == [50.0, None, 50.0] and rate["yaxis"] == "y2"
    patterns = [t["marker"]["pattern"]["shape"] for t in figure["data"] if t["type"] == "bar"]
    assert len(set(patterns)) == 3  # told apart without colour


def test_the_axes_show_whole_treatments_and_round_percentages(clinic):
    few = ended_by_month_chart(clinic_overview(clinic[0].id, NOW).ended_by_month)
    assert few["layout"]["yaxis"]["dtick"] == 1  # not 0, 1, 1, 2, 2 from half steps
    many = [EndedMonth("2024-05", {"completed": 30, "dropped_out": 12, "transferred": 0}, Rate(12, 42))]
    assert "dtick" not in ended_by_month_chart(many)["layout"]["yaxis"]  # Plotly's own whole steps: 0, 10, 20
    rate_axis = few["layout"]["yaxis2"]
    assert rate_axis["tickvals"] == [0, 25, 50, 75, 100] and rate_axis["range"][1] > 100  # 100 % not on the frame
