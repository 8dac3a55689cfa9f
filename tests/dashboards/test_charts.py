"""Patient charts as plain plotly.js figures, and their table alternative, from a hand-built history."""

from __future__ import annotations

import datetime
import json
import math

import plotly.graph_objects as go
import pytest

from dashboards.charts import patient as made_patient
from dashboards.charts import points as made_points
from dashboards.charts import table as made_table
from dashboards.charts.points import baseline_band, scale_items
from dashboards.demo.cohort import DEFAULT_NORMS
from dashboards.flags import PatientHistory, evaluate
from tests.dashboards.chart_data import (
    HISTORY,
    ITEMS,
    START,
    UNANSWERED,
    in_english,
    patient,
    session,
    therapist,
)


def patient_chart(*args, **kwargs):
    return in_english(made_patient.patient_chart(*args, **kwargs))


def patient_charts(*args, **kwargs):
    return in_english(made_patient.patient_charts(*args, **kwargs))


def session_points(*args, **kwargs):
    return in_english(made_points.session_points(*args, **kwargs))


def chart_table(*args, **kwargs):
    return in_english(made_table.chart_table(*args, **kwargs))


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name", "").startswith(name))


def test_patient_and_therapist_lines_with_their_scores():
    fig = patient_chart(HISTORY, "bond", items=ITEMS)
    p, t = trace(fig, "Patient"), trace(fig, "Therapist")
    assert p["x"] == [1, 2, 3, 6, 8, 9, 10, 11]
    assert p["y"] == [4.5, 4.0, 4.5, 3.5, 4.0, 4.0, 4.5, 2.5]
    assert t["x"] == [1, 2, 3, 5, 6, 8, 9, 11]
    assert t["y"] == [4.0, 4.0, 4.5, 4.0, 4.0, 4.0, 3.5, 4.0]
    # The therapist's view is distinct without colour: dashed line, open diamond markers.
    assert p["line"]["dash"] == "solid" and t["line"]["dash"] == "dash"
    assert p["marker"]["symbol"] != t["marker"]["symbol"]


def test_usual_level_and_ordinary_range_by_hand():
    # The alliance is the scale the decline flag watches. Its baseline starts as the mean of the
    # first four scored sessions (1, 2, 3, 6) and grows with each session in control (8, 9, 10);
    # session 11 (2.5) is far below and is left out. σ_w = 0.6 · √(1 − .64) = 0.36 (norms).
    fig = patient_chart(HISTORY, "alliance")
    baseline = (4.5 + 4.0 + 4.5 + 3.5 + 4.0 + 4.0 + 4.5) / 7
    unit = 0.36 * math.sqrt(1 + 1 / 7)
    low, high = baseline - 2 * unit, baseline + 2 * unit
    band = [t for t in fig["data"] if t.get("legendgroup") == "band"]
    assert [t["y"][0] for t in band] == [pytest.approx(low, abs=1e-3), pytest.approx(high, abs=1e-3)]
    assert band[1]["fill"] == "tonexty" and band[1]["name"] == "Ordinary range"
    assert trace(fig, "Usual level")["y"] == [pytest.approx(baseline, abs=1e-3)] * 2


def test_no_band_for_scales_the_flags_do_not_watch_or_before_a_baseline():
    assert not any(t.get("legendgroup") == "band" for t in patient_chart(HISTORY, "bond")["data"])
    early = PatientHistory(sessions=HISTORY.sessions[:5], norms=DEFAULT_NORMS)
    assert baseline_band(early, "alliance") is None


def test_missed_sessions_and_unanswered_forms_have_their_own_symbols():
    fig = patient_chart(HISTORY, "bond")
    marks = {name: trace(fig, name) for name in ("No-show", "Cancelled", "Patient: no answer", "Therapist: no answer")}
    assert {name: t["x"] for name, t in marks.items()} == {
        "No-show": [4], "Cancelled": [7], "Patient: no answer": [5], "Therapist: no answer": [10]}
    symbols = [t["marker"]["symbol"] for t in marks.values()]
    assert len(set(symbols)) == 4
    assert all(y < 1 for t in marks.values() for y in t["y"])  # on the axis, below the 1–5 scale


def test_ruptures_marked_by_outcome_shape_and_reporter_text():
    fig = patient_chart(HISTORY, "bond")
    unresolved, repaired, mild = (trace(fig, "Rupture: unresolved"), trace(fig, "Rupture: repaired"),
                                  trace(fig, "Rupture: partly"))
    assert (unresolved["x"], unresolved["text"]) == ([6], ["P"])
    assert (repaired["x"], repaired["text"]) == ([8], ["P+T"])
    assert (mild["x"], mild["text"]) == ([9], ["T"])
    assert len({unresolved["marker"]["symbol"], repaired["marker"]["symbol"], mild["marker"]["symbol"]}) == 3


def test_rupture_outcome_agrees_with_the_flags():
    codes = {e.session_number: e.code for e in evaluate(HISTORY, datetime.date(2024, 12, 31)).events
             if e.code in ("unresolved_rupture", "repaired_rupture", "rupture")}
    expected = {"unresolved_rupture": "unresolved", "repaired_rupture": "repaired", "rupture": "open"}
    points = {p.number: p for p in session_points(HISTORY, "bond")}
    assert codes and all(points[n].rupture.status == expected[code] for n, code in codes.items())


def test_hover_shows_date_and_answers():
    fig = patient_chart(HISTORY, "bond", items=ITEMS)
    hover = trace(fig, "Patient")["hovertext"][3]  # session 6
    assert hover.startswith("Session 6 · 5 Feb 2024")
    assert "Patient: bond 3.5 (bond_understood 3, bond_trust 4)" in hover
    assert "Therapist: bond 4.0 (t_connected 4, t_collab 4)" in hover
    assert "Rupture, unresolved, reported by the patient (tension 4 of 5, resolved 1 of 5)" in hover
    assert "held back 4 of 5" in hover


def test_hover_text_is_escaped():
    odd = PatientHistory([session(1, patient(4.0, bond_understood="<img src=x>"), None)], DEFAULT_NORMS)
    hover = trace(patient_chart(odd, "bond", items=ITEMS), "Patient")["hovertext"][0]
    assert "<img" not in hover and "&lt;img src=x&gt;" in hover


def test_as_of_leaves_out_later_sessions():
    fig = patient_chart(HISTORY, "bond", as_of=START + datetime.timedelta(weeks=2))
    assert trace(fig, "Patient")["x"] == [1, 2, 3]
    assert fig["layout"]["xaxis"]["range"] == [0.5, 3.5]


def test_every_figure_is_json_and_valid_plotly():
    figures = patient_charts(HISTORY, items=ITEMS)
    assert list(figures) == ["alliance", "bond", "task", "goal"]
    for figure in figures.values():
        json.dumps(figure)
        go.Figure(figure)  # plotly's own validation rejects any unknown or mistyped property


def test_empty_history_says_so():
    fig = patient_chart(PatientHistory([], DEFAULT_NORMS), "bond")
    assert fig["data"] == []
    assert empty_note(fig).startswith("No sessions yet.")


def test_table_alternative_says_the_same_in_words():
    table = chart_table(HISTORY, "bond")
    assert table.columns == ("Session", "Date", "Patient", "Therapist", "Notes")
    rows = {row[0]: row for row in table.rows}
    assert len(rows) == 11
    assert rows["1"] == ("1", "1 Jan 2024", "4.5", "4.0", "")
    assert rows["4"][4] == "No-show"
    assert rows["5"][2:] == ("not answered", "4.0", "Patient form not answered")
    assert rows["6"][4] == "Rupture, unresolved, reported by the patient (tension 4 of 5, resolved 1 of 5)"
    assert rows["8"][4].startswith("Rupture, repaired, reported by both")
    assert "Bond" in table.caption and table.notes == ()  # the bond explains; the alliance is watched
    alliance = chart_table(HISTORY, "alliance")
    assert {row[0]: row for row in alliance.rows}["11"][4] == "Patient's score below the ordinary range"
    assert "usual level 4.1 (mean of sessions 1, 2, 3, 6, 8, 9 and 10)" in alliance.notes[0]
    assert "3.37 to 4.91" in alliance.notes[0]


def test_scale_items_from_instruments(app):
    from feedback.links import session_instruments

    instruments = session_instruments()
    items = scale_items(instruments["patient"], instruments["therapist"])
    assert items["patient"]["bond"] == ("bond_understood", "bond_trust")
    assert items["therapist"]["alliance"] == ("t_connected", "t_collab", "t_task", "t_goal")


def empty_note(figure: dict) -> str:
    return " ".join(a["text"] for a in figure["layout"]["annotations"] if a["x"] == 0.5)


def test_a_session_without_answered_forms_says_what_the_chart_waits_for():
    # One attended session whose forms are still open (None) or expired (UNANSWERED): the page says
    # "Sessions so far 1", so the chart must not say "No sessions yet" but what it needs to start.
    for forms in ((None, None), (UNANSWERED, None), (UNANSWERED, UNANSWERED)):
        one = PatientHistory([session(1, *forms)], DEFAULT_NORMS)
        note = empty_note(patient_chart(one, "bond"))
        assert "No sessions yet" not in note
        assert "1 session so far" in note and "answered a form" in note
    # With the therapist's form answered the chart has a point to draw, and no note.
    drawn = patient_chart(PatientHistory([session(1, None, therapist(4.0))], DEFAULT_NORMS), "bond")
    assert empty_note(drawn) == "" and trace(drawn, "Therapist")["x"] == [1]
    none = empty_note(patient_chart(PatientHistory([], DEFAULT_NORMS), "bond"))
    assert none.startswith("No sessions yet") and "answered" in none


def test_legend_entries_take_the_width_of_their_own_names():
    # A fixed entry width let a long name ("Therapist: no answer") run into the next entry or past
    # the legend's edge; plotly sizes each entry to its text and wraps rows when it is unset.
    legend = patient_chart(HISTORY, "bond")["layout"]["legend"]
    assert legend["orientation"] == "h" and not legend.get("entrywidth")


def test_the_top_margin_keeps_the_mode_bar_clear_of_the_plot():
    # The mode bar (shown while a mouse is over a chart) sits in the top right corner: the director's
    # chart had its 100 % tick label there, under the camera.
    from dashboards.charts.clinic import ended_by_month_chart
    from dashboards.charts.style import MODE_BAR_ROOM
    from dashboards.clinic_stats import EndedMonth, Rate

    ended = ended_by_month_chart([EndedMonth("2024-05", {"completed": 0, "dropped_out": 2, "transferred": 0}, Rate(2, 2))])
    for figure in (patient_chart(HISTORY, "alliance"), ended):
        assert figure["layout"]["margin"]["t"] >= MODE_BAR_ROOM
