"""The outcome trend beside the alliance: one figure of stacked rows on the same session axis, with
the severity bands, the cut-off and the reliable-change band; and its table."""

from __future__ import annotations

import dataclasses

import plotly.graph_objects as go
import pytest

from dashboards.assets import PLOTLY_TRACES
from dashboards.charts import outcome as made_outcome
from dashboards.charts import outcome_table as made_outcome_table
from feedback.instruments.outcomes import reliable_change
from tests.dashboards.chart_data import in_english
from tests.flags.builders import day, history, patient, session, therapist
from tests.outcomes.measures import both, gad7, phq9


def outcome_chart(*args, **kwargs):
    return in_english(made_outcome.outcome_chart(*args, **kwargs))


def outcome_table(*args, **kwargs):
    return in_english(made_outcome_table.outcome_table(*args, **kwargs))


def treatment(measures, alliance=(4.5, 4.4, 3.6, 3.2), missing=()):
    sessions = [session(n, None if n in missing else patient(a), therapist()) for n, a in enumerate(alliance, 1)]
    return dataclasses.replace(history(*sessions), outcomes=measures)


HISTORY = treatment(both([9, 10, 13, 16], [6, 7, 7, 9]))


def named(figure, name):
    """A score line by its exact name (the bands' legend names start with the measure's too)."""
    return next(t for t in figure["data"] if t.get("name") == name)


def test_rows_share_the_session_axis_phq9_on_top_alliance_at_the_bottom():
    fig = outcome_chart(HISTORY)
    go.Figure(fig)  # plotly's own validation
    layout = fig["layout"]
    assert [layout[a]["title"]["text"] for a in ("yaxis", "yaxis2", "yaxis3")] == ["PHQ-9", "GAD-7", "Alliance"]
    tops = [layout[a]["domain"] for a in ("yaxis", "yaxis2", "yaxis3")]
    assert tops[0][0] > tops[1][1] and tops[1][0] > tops[2][1]  # stacked, not overlapping
    assert {t.get("xaxis", "x") for t in fig["data"]} == {"x"} and layout["xaxis"]["anchor"] == "y3"
    assert (named(fig, "PHQ-9")["x"], named(fig, "PHQ-9")["y"]) == ([1, 2, 3, 4], [9.0, 10.0, 13.0, 16.0])
    alliance = named(fig, "Alliance (patient)")
    assert (alliance["x"], alliance["yaxis"]) == ([1, 2, 3, 4], "y3")
    assert alliance["y"] == [4.5, 4.4, 3.6, 3.2]  # the bond falling before the PHQ-9 rises, in one picture
    assert {t.get("type") for t in fig["data"]} <= PLOTLY_TRACES


def test_severity_bands_the_cut_off_and_the_reliable_change_band():
    fig = outcome_chart(HISTORY)
    phq_shapes = [s for s in fig["layout"]["shapes"] if s["yref"] == "y"]
    stripes = [(s["y0"], s["y1"]) for s in phq_shapes if s["type"] == "rect"]
    assert stripes == [(0, 5), (5, 10), (10, 15), (15, 20), (20, 27.0)]  # Kroenke et al. 2001's bands, to 27
    assert [s["y0"] for s in phq_shapes if s["type"] == "line"] == [10]  # caseness
    names = [a["text"] for a in fig["layout"]["annotations"] if a["yref"] == "y"]
    assert names == ["None to minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
    band = [t for t in fig["data"] if t.get("legendgroup") == "rc-phq9"]
    # First PHQ-9 9, reliable change 6: 3 and 15 are reliable changes, 4 to 14 are not.
    assert [t["y"] for t in band] == [[4.0, 4.0], [14.0, 14.0]] and band[1]["fill"] == "tonexty"
    assert band[1]["name"] == "PHQ-9: within measurement error (4 to 14)"
    gad = [t for t in fig["data"] if t.get("legendgroup") == "rc-gad7"]
    assert [t["y"] for t in gad] == [[3.0, 3.0], [9.0, 9.0]]  # first GAD-7 6, reliable change 4


def band_of(figure, scale):
    low, high = (t["y"] for t in figure["data"] if t.get("legendgroup") == f"rc-{scale}")
    assert low[0] == low[1] and high[0] == high[1]
    return low[0], high[0]


@pytest.mark.parametrize(("make", "top"), [(phq9, 27), (gad7, 21)])
def test_the_band_and_the_note_agree_with_reliable_change_for_every_first_score(make, top):
    """The band holds exactly the later totals `reliable_change` calls no reliable change; the table's
    note names its ends and the nearest reliable changes, both drawn from the same range."""
    for first in range(top + 1):
        measure = make([first])
        low, high = band_of(outcome_chart(treatment({measure.scale: measure})), measure.scale)
        for later in range(top + 1):
            assert (low <= later <= high) == (reliable_change(measure.rules, first, later) is None), (first, later)
        [note] = outcome_table(treatment({measure.scale: measure})).notes
        assert f"a later score from {low:g} to {high:g} is within it" in note
        edges = [f"{e:g} or below" for e in [low - 1] if e >= 0] + [f"{e:g} or above" for e in [high + 1] if e <= top]
        assert f"— {', or '.join(edges)} —" in note, note


def test_the_patients_words_for_the_review():
    fig = outcome_chart(HISTORY, plain=True)
    go.Figure(fig)
    names = [t["name"] for t in fig["data"] if t.get("name")]
    assert "PHQ-9: within ordinary ups and downs of your first score" in names
    assert "Working together (your rating)" in names and not any("reliable" in n for n in names)


def test_only_the_patients_own_answers_and_hover_names_the_band():
    fig = outcome_chart(HISTORY)
    assert all(4.0 not in t["y"] for t in fig["data"] if t.get("name", "").startswith("Alliance"))
    assert "therapist" not in str(fig).lower().replace("the patient's rating", "")
    assert named(fig, "PHQ-9")["hovertext"][3] == "Session 4 · 22 Jan 2024<br>PHQ-9 16 (Moderately severe)"


def test_a_patient_without_outcome_answers_gets_the_alliance_row_only_and_later_answers_wait():
    fig = outcome_chart(treatment({}))
    assert [k for k in fig["layout"] if k.startswith("yaxis")] == ["yaxis"]
    early = outcome_chart(HISTORY, as_of=day(2))
    assert named(early, "PHQ-9")["x"] == [1, 2] and named(early, "Alliance (patient)")["x"] == [1, 2]


def test_the_table_says_the_same_in_words():
    table = outcome_table(treatment({"phq9": phq9({1: 15, 3: 8})}, missing=(2,)))
    assert table.columns == ("Session", "Date", "PHQ-9", "Alliance (patient, 1 to 5)")
    assert table.rows == (("1", "1 Jan 2024", "15 (Moderately severe)", "4.5"),
                          ("3", "15 Jan 2024", "8 (Mild)", "3.6"), ("4", "22 Jan 2024", "", "3.2"))
    # 15 → 9 is a reliable change (reliable_change: a difference of 6 or more), so 9 is outside the range.
    assert table.notes == ("PHQ-9: first score 15 (session 1); a change of 6 points or more — 9 or below, or 21 or "
                           "above — is beyond measurement error (a reliable change); a later score from 10 to 20 is "
                           "within it; the clinical cut-off is 10.",)
    near_the_top = outcome_table(treatment({"phq9": phq9([24, 20])}))
    assert near_the_top.notes == ("PHQ-9: first score 24 (session 1); a change of 6 points or more — 18 or below — "
                                  "is beyond measurement error (a reliable change); a later score from 19 to 27 is "
                                  "within it; the clinical cut-off is 10.",)
