"""One treatment's scores over session number, as plain plotly.js figures.

`patient_chart(history, scale)` gives `{"data": [...], "layout": {...}}` ready for JSON and
`Plotly.newPlot`: the patient's scores (solid line, filled circles), the therapist's own ratings
overlaid (dashed, open diamonds: the gap between the two views is the point), for the scales the
flags watch for decline the patient's usual level and the range of ordinary variation around it, ruptures
in a row above the scale (shape = how it ended, text = who reported it), and on a row below it the
no-shows, cancellations and unanswered questionnaires, each kind its own symbol. Hovering shows
the session date and the answers. `dashboards.charts.table.chart_table` says the same in text, as
the chart's accessible alternative.

Plain dicts, not plotly.graph_objects: go.Figure validates every property on construction.
Measured on a 30-session treatment (10 traces, 20 kB of JSON): a plain-dict chart takes 0.4 ms to
build and 0.1 ms to serialise; go.Figure(same dict) 2.5–3.5 ms, with plotly.io.to_json 3.7–4.3 ms,
and the first go.Figure in a process 60 ms more. The four charts of a patient page: 1.8 ms as dicts,
16–24 ms through go.Figure. Nothing is lost: the tests pass every figure through go.Figure, so an
invalid property fails there instead of at runtime.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

from dashboards.charts.marks import MISSED_MARKS, REPORTER_TEXT, RUPTURE_KEY, RUPTURE_MARKS
from dashboards.charts.points import Band, ScaleItems, SessionPoint, baseline_band, session_points
from dashboards.charts.style import FONT_FAMILY, MODE_BAR_ROOM, NEUTRAL, PATIENT_COLOUR, THERAPIST_COLOUR
from dashboards.flags import DEFAULT_THRESHOLDS, PatientHistory, Thresholds
from feedback.phrases import Num, Phrase, phrase
from feedback.translatable import N_

SCALES = ("alliance", "bond", "task", "goal")
BAND_FILL = "rgba(0,114,178,0.13)"  # PATIENT_COLOUR, faint: the band is the patient's own
Y_RANGE = [0.0, 5.9]  # the 1–5 scale with room for the mark rows above and below it
# The legend sits under the plot in rows plotly wraps, its columns as wide as the longest name (a
# fixed width let a long name run into the next entry); the figure's height grows by a row per two
# entries so the plot keeps about its size.
LEGEND_ROW_PX, PLOT_PX = 20, 300


def patient_chart(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                  thresholds: Thresholds = DEFAULT_THRESHOLDS, items: ScaleItems | None = None) -> dict[str, Any]:
    """A plotly.js figure (plain dicts) of one scale over session number."""
    points = session_points(history, scale, as_of=as_of, thresholds=thresholds, items=items)
    band = baseline_band(history, scale, as_of=as_of, thresholds=thresholds)
    last = max((p.number for p in points), default=1)
    data: list[dict[str, Any]] = []
    if band is not None:
        data += _band_traces(band, last)
    data += [
        _score_trace(Phrase(N_("Patient")), points, "patient", PATIENT_COLOUR, "circle", "solid"),
        _score_trace(Phrase(N_("Therapist")), points, "therapist", THERAPIST_COLOUR, "diamond-open", "dash"),
    ]
    data += _mark_traces(points)
    data = [trace for trace in data if trace["x"]]  # no empty traces cluttering the legend
    layout = _layout(last, data, has_ruptures=any(p.rupture for p in points))
    if not any(p.patient is not None or p.therapist is not None for p in points):
        layout["annotations"].append({"text": _waiting(len(points)), "xref": "paper", "yref": "paper",
                                      "x": 0.5, "y": 0.5, "showarrow": False})
    return {"data": data, "layout": layout}


def patient_charts(history: PatientHistory, *, as_of: datetime.date | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, items: ScaleItems | None = None,
                   scales: Sequence[str] = SCALES) -> dict[str, dict[str, Any]]:
    """One figure per scale, for a single JSON response that charts.js splits by data-chart-key."""
    return {scale: patient_chart(history, scale, as_of=as_of, thresholds=thresholds, items=items)
            for scale in scales}


def _band_traces(band: Band, last: int) -> list[dict[str, Any]]:
    xs = [0.5, last + 0.5]
    lower = {"type": "scatter", "mode": "lines", "x": xs, "y": [_r(band.low)] * 2, "line": {"width": 0},
             "hoverinfo": "skip", "showlegend": False, "legendgroup": "band"}
    upper = {"type": "scatter", "mode": "lines", "x": xs, "y": [_r(band.high)] * 2, "line": {"width": 0},
             "fill": "tonexty", "fillcolor": BAND_FILL, "hoverinfo": "skip", "legendgroup": "band",
             "name": Phrase(N_("Ordinary range"))}
    baseline = {"type": "scatter", "mode": "lines", "x": xs, "y": [_r(band.baseline)] * 2,
                "line": {"color": NEUTRAL, "dash": "dot", "width": 1.5}, "hoverinfo": "skip",
                "name": phrase(N_("Usual level %(score)s"), score=Num(band.baseline, 1))}
    return [lower, upper, baseline]


def _score_trace(name: Phrase, points: list[SessionPoint], respondent: str, colour: str, symbol: str,
                 dash: str) -> dict[str, Any]:
    scored = [p for p in points if getattr(p, respondent) is not None]
    return {
        "type": "scatter", "mode": "lines+markers", "name": name,
        "x": [p.number for p in scored], "y": [getattr(p, respondent) for p in scored],
        "line": {"color": colour, "dash": dash, "width": 2.5 if respondent == "patient" else 2},
        "marker": {"symbol": symbol, "size": 9, "color": colour, "line": {"color": colour, "width": 2}},
        "hovertext": [p.hover for p in scored], "hovertemplate": "%{hovertext}<extra></extra>",
    }


def _mark_traces(points: list[SessionPoint]) -> list[dict[str, Any]]:
    """One trace per kind of mark (rupture outcomes above the scale, missed sessions and forms below)."""
    traces = []
    for kind, mark in (*RUPTURE_MARKS.items(), *MISSED_MARKS.items()):
        if kind in RUPTURE_MARKS:
            marked = [p for p in points if p.rupture is not None and p.rupture.status == kind]
            text: dict[str, Any] = {
                "mode": "markers+text", "textposition": "top center", "textfont": {"size": 11, "color": mark.colour},
                "text": [Phrase(REPORTER_TEXT[p.rupture.reported_by]) for p in marked if p.rupture is not None]}
        else:
            marked, text = [p for p in points if kind in p.missed], {"mode": "markers"}
        traces.append({
            "type": "scatter", "name": Phrase(mark.legend), **text,
            "x": [p.number for p in marked], "y": [mark.row] * len(marked),
            "marker": {"symbol": mark.symbol, "size": 12 if kind in RUPTURE_MARKS else 10, "color": mark.colour,
                       "line": {"color": mark.colour, "width": 2 if kind in RUPTURE_MARKS else 1.5}},
            "hovertext": [p.hover for p in marked], "hovertemplate": "%{hovertext}<extra></extra>",
            "cliponaxis": False,
        })
    return traces


def _waiting(sessions: int) -> Phrase:
    """What an empty chart waits for: the page may already count sessions whose forms are not answered."""
    if not sessions:
        return Phrase(N_("No sessions yet.<br>The chart starts when the patient<br>or the therapist has answered a "
                         "form."))
    if sessions == 1:
        return Phrase(N_("1 session so far, no form<br>answered yet.<br>The chart starts when the patient<br>or the "
                         "therapist has answered a form."))
    return phrase(N_("%(count)s sessions so far, no form<br>answered yet.<br>The chart starts when the patient<br>or "
                     "the therapist has answered a form."), count=sessions)


def _layout(last: int, data: list[dict[str, Any]], *, has_ruptures: bool) -> dict[str, Any]:
    annotations = []
    if has_ruptures:
        annotations.append({"text": Phrase(RUPTURE_KEY), "xref": "paper", "yref": "paper", "x": 0, "y": 1,
                            "xanchor": "left", "yanchor": "bottom", "yshift": 14, "showarrow": False,
                            "font": {"size": 10, "color": NEUTRAL}})
    legend_rows = math.ceil(sum(1 for t in data if t.get("showlegend", True)) / 2)
    return {
        "height": PLOT_PX + 40 + legend_rows * LEGEND_ROW_PX,
        "margin": {"l": 44, "r": 12, "t": MODE_BAR_ROOM + 6, "b": 8},
        "font": {"family": FONT_FAMILY, "size": 13},
        # No x title: it would sit under the legend; the ticks are session numbers, as the caption says.
        "xaxis": {"range": [0.5, last + 0.5], "tickmode": "linear", "tick0": 1, "ticklabelstandoff": 2,
                  "dtick": max(1, math.ceil(last / 12)), "fixedrange": True, "zeroline": False,
                  "automargin": True},
        "yaxis": {"title": {"text": Phrase(N_("Score (1 to 5)"))}, "range": Y_RANGE, "tickvals": [1, 2, 3, 4, 5],
                  "fixedrange": True, "zeroline": False},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -28 / PLOT_PX, "yanchor": "top",
                   "font": {"size": 11}, "maxheight": 0.9, "traceorder": "normal"},
        "hovermode": "closest",
        "hoverlabel": {"align": "left"},
        "dragmode": False,
        "annotations": annotations,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }


def _r(x: float) -> float:
    return round(x, 3)
