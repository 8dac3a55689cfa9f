"""One treatment's scores over session number, as plain plotly.js figures and as a table.

`patient_chart(history, scale)` gives `{"data": [...], "layout": {...}}` ready for JSON and
`Plotly.newPlot`: the patient's scores (solid line, filled circles), the therapist's own ratings
overlaid (dashed, open diamonds: the gap between the two views is the point), for the scales the
flags watch for decline the patient's baseline and the reliable-change band around it, ruptures
in a row above the scale (shape = how it ended, text = who reported it), and on a row below it the
no-shows, cancellations and unanswered questionnaires, each kind its own symbol. Hovering shows
the session date and the answers. `chart_table(history, scale)` says the same in text, as the
chart's accessible alternative.

Plain dicts, not plotly.graph_objects: go.Figure validates every property on construction.
Measured on a 30-session treatment (10 traces, 20 kB of JSON): a plain-dict chart takes 0.4 ms to
build and 0.1 ms to serialise; go.Figure(same dict) 2.5–3.5 ms, with plotly.io.to_json 3.7–4.3 ms,
and the first go.Figure in a process 60 ms more. The four charts of a patient page: 1.8 ms as dicts,
16–24 ms through go.Figure. Nothing is lost: the tests pass every figure through go.Figure, so an
invalid property fails there instead of at runtime.
"""

from __future__ import annotations

import datetime
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from dashboards.flags import DEFAULT_THRESHOLDS, Answers, PatientHistory, SessionRecord, Thresholds, s_diff
from dashboards.flags.timeline import build_timeline, mean
from dashboards.flags.wording import capital, label
from dashboards.flags.wording import sessions as listing

if TYPE_CHECKING:
    from dashboards.clinic_stats import EndedMonth

SCALES = ("alliance", "bond", "task", "goal")
#: respondent ("patient" | "therapist") -> scale -> the item ids scored into it, for the hover text.
ScaleItems = Mapping[str, Mapping[str, Sequence[str]]]

# Okabe–Ito colours (distinguishable with colour-vision deficiencies); shapes and dashes carry
# the same distinction, so colour is never the only signal.
PATIENT_COLOUR, THERAPIST_COLOUR, NEUTRAL = "#0072B2", "#D55E00", "#4D5560"
BAND_FILL = "rgba(0,114,178,0.13)"
TOP_ROW, MISSED_ROW, THERAPIST_MISSED_ROW = 5.5, 0.55, 0.2  # marker rows outside the 1–5 scale
Y_RANGE = [0.0, 5.9]



class Mark(NamedTuple):
    words: str  # in the table and hover text
    legend: str  # short, so two legend columns fit a phone
    symbol: str  # plotly marker symbol: every kind of mark has its own shape
    colour: str
    row: float  # y position, outside the 1–5 scale


RUPTURE_MARKS = {
    "unresolved": Mark("Rupture, unresolved", "Rupture: unresolved", "x", "#A4161A", TOP_ROW),
    "open": Mark("Rupture, partly resolved", "Rupture: partly", "triangle-down-open", "#7A4F00", TOP_ROW),
    "repaired": Mark("Rupture, repaired", "Rupture: repaired", "star", "#1E6B3A", TOP_ROW),
}
RUPTURE_KEY = "Top row: ruptures (P patient, T therapist)"
REPORTER_TEXT = {"patient": "P", "therapist": "T", "both": "P+T"}
MISSED_MARKS = {
    "no_show": Mark("No-show", "No-show", "x-thin-open", NEUTRAL, MISSED_ROW),
    "cancelled": Mark("Cancelled", "Cancelled", "triangle-up-open", NEUTRAL, MISSED_ROW),
    "patient_unanswered": Mark("Patient form not answered", "Patient: no answer", "square-open", NEUTRAL,
                               MISSED_ROW),
    "therapist_unanswered": Mark("Therapist form not answered", "Therapist: no answer", "square-x-open", NEUTRAL,
                                 THERAPIST_MISSED_ROW),
}
# The legend sits under the plot in columns of this width: two on a phone, more on wider screens;
# the figure's height grows with its rows so the plot keeps its size.
LEGEND_ENTRY_PX, LEGEND_ROW_PX, PLOT_PX = 110, 20, 300
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class HasScaleItems(Protocol):
    """What `scale_items` needs of an instrument (feedback.instruments.model.Instrument)."""

    scales: Mapping[str, Any]


@dataclass(frozen=True)
class Band:
    """The patient's own baseline on a scale and the reliable-change band around it."""

    baseline: float  # mean of the first `baseline_sessions` scored sessions, as the flags use it
    low: float  # baseline − z · S_diff: a score below is a reliable fall
    high: float
    s_diff: float
    z: float
    sessions: tuple[int, ...]  # the session numbers the baseline is the mean of


@dataclass(frozen=True)
class RuptureMark:
    status: str  # "unresolved" | "open" | "repaired"
    reported_by: str  # "patient" | "therapist" | "both"
    tension: int | None  # of the view whose status counts: the patient's when they reported it
    resolved: int | None

    @property
    def text(self) -> str:
        who = {"patient": "the patient", "therapist": "the therapist", "both": "both"}[self.reported_by]
        return (f"{RUPTURE_MARKS[self.status].words}, reported by {who} "
                f"(tension {_of5(self.tension)}, resolved {_of5(self.resolved)})")


@dataclass(frozen=True)
class SessionPoint:
    """One session as the chart and the table see it."""

    number: int
    date: datetime.date
    attendance: str
    patient: float | None  # the patient's score on the scale; None = not answered / not scored
    therapist: float | None
    rupture: RuptureMark | None
    missed: tuple[str, ...]  # kinds of MISSED_MARKS that apply
    hover: str  # session date and answers, plotly hover markup (already escaped)


@dataclass(frozen=True)
class ChartTable:
    """The chart as a table: its accessible alternative (cells are plain text; templates escape)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]  # baseline and band, in words


def scale_items(patient_instrument: HasScaleItems, therapist_instrument: HasScaleItems) -> dict[str, dict[str, tuple]]:
    """The `items` argument of the chart functions, from the two instruments' definitions."""
    return {
        respondent: {sid: tuple(scale.items) for sid, scale in instrument.scales.items()}
        for respondent, instrument in (("patient", patient_instrument), ("therapist", therapist_instrument))
    }


def baseline_band(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                  thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Band | None:
    """The baseline and band as the reliable-decline flag computes them; None for scales the flags
    do not watch for decline, without norms, or before `baseline_sessions` scored sessions."""
    norm = history.norms.get(scale)
    if norm is None or scale not in thresholds.change_scales:
        return None
    points = build_timeline(history, as_of or datetime.date.max, thresholds.recent_sessions).points.get(scale, ())
    first = points[:thresholds.baseline_sessions]
    if len(first) < thresholds.baseline_sessions:
        return None
    baseline, sdiff = mean([p.score for p in first]), s_diff(norm.sd, norm.reliability)
    amount = thresholds.reliable_z * sdiff
    return Band(baseline, baseline - amount, baseline + amount, sdiff, thresholds.reliable_z,
                tuple(p.number for p in first))


def rupture_status(tension: int | None, resolved: int | None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """The same cut-offs as the rupture flags (unresolved_rupture / repaired_rupture / rupture)."""
    if (tension is not None and tension >= thresholds.rupture_tension_min
            and resolved is not None and resolved <= thresholds.rupture_unresolved_max):
        return "unresolved"
    if resolved is not None and resolved >= thresholds.rupture_repaired_min:
        return "repaired"
    return "open"


def session_points(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, items: ScaleItems | None = None) -> list[SessionPoint]:
    """Every session up to `as_of` (default: all), in order, with what the chart shows of it."""
    sessions = build_timeline(history, as_of or datetime.date.max, thresholds.recent_sessions).sessions
    return [_point(s, scale, thresholds, items or {}) for s in sessions]


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
        _score_trace("Patient", points, "patient", PATIENT_COLOUR, "circle", "solid"),
        _score_trace("Therapist", points, "therapist", THERAPIST_COLOUR, "diamond-open", "dash"),
    ]
    data += _mark_traces(points)
    data = [trace for trace in data if trace["x"]]  # no empty traces cluttering the legend
    return {"data": data, "layout": _layout(last, data, has_ruptures=any(p.rupture for p in points))}


def patient_charts(history: PatientHistory, *, as_of: datetime.date | None = None,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, items: ScaleItems | None = None,
                   scales: Sequence[str] = SCALES) -> dict[str, dict[str, Any]]:
    """One figure per scale, for a single JSON response that charts.js splits by data-chart-key."""
    return {scale: patient_chart(history, scale, as_of=as_of, thresholds=thresholds, items=items)
            for scale in scales}


def chart_table(history: PatientHistory, scale: str, *, as_of: datetime.date | None = None,
                thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ChartTable:
    """The text alternative of `patient_chart`: one row per session, the same facts in words."""
    points = session_points(history, scale, as_of=as_of, thresholds=thresholds)
    band = baseline_band(history, scale, as_of=as_of, thresholds=thresholds)
    notes: tuple[str, ...] = ()
    if band is not None:
        notes = (
            f"Patient's baseline {band.baseline:.1f} (mean of sessions {listing(list(band.sessions))}); "
            f"reliable-change band {band.low:.2f} to {band.high:.2f} (baseline ± {band.z:g} × S_diff "
            f"{band.s_diff:.2f}). A score below the band is a reliable fall.",
        )
    rows = []
    for p in points:
        remarks = [MISSED_MARKS[kind].words for kind in p.missed]
        if p.rupture is not None:
            remarks.append(p.rupture.text)
        if band is not None and p.patient is not None and p.patient < band.low and p.number not in band.sessions:
            remarks.append("Patient's score below the reliable-change band")
        rows.append((str(p.number), long_date(p.date), _score_cell(p, "patient"), _score_cell(p, "therapist"),
                     "; ".join(remarks)))
    return ChartTable(
        caption=f"{capital(label(scale))} by session: patient's and therapist's scores (1 to 5)",
        columns=("Session", "Date", "Patient", "Therapist", "Notes"),
        rows=tuple(rows),
        notes=notes,
    )


END_REASON_STYLE = {  # reason -> (legend name, colour, bar pattern): the pattern, not only colour, tells them apart
    "completed": ("Completed", "#009E73", ""),
    "dropped_out": ("Dropped out", "#D55E00", "/"),
    "transferred": ("Transferred", "#56B4E9", "."),
}
#: Up to this many ended treatments a month, the count axis steps by one.
SMALL_COUNTS = 10


def ended_by_month_chart(months: Sequence[EndedMonth]) -> dict[str, Any]:
    """The director's chart: ended treatments per month stacked by reason, and the dropout rate.

    The text alternative is the month table (`clinic_stats.ClinicOverview.ended_by_month`) itself.
    """
    labels = [m.month for m in months]
    # Counts: with a few per month Plotly picks half steps, which "d" shows as 0, 1, 1, 2, 2.
    whole_steps = {"dtick": 1} if max((m.ended for m in months), default=0) <= SMALL_COUNTS else {}
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": name, "x": labels, "y": [m.by_reason.get(reason, 0) for m in months],
         "marker": {"color": colour, "pattern": {"shape": pattern}},
         "hovertemplate": f"%{{x}}: %{{y}} {name.lower()}<extra></extra>"}
        for reason, (name, colour, pattern) in END_REASON_STYLE.items()
    ]
    data.append({
        "type": "scatter", "mode": "lines+markers", "name": "Dropout rate", "yaxis": "y2", "x": labels,
        "y": [None if m.dropout.value is None else round(100 * m.dropout.value, 1) for m in months],
        "line": {"color": NEUTRAL, "dash": "dot"}, "marker": {"symbol": "diamond", "size": 8, "color": NEUTRAL},
        "hovertemplate": "%{x}: dropout rate %{y}%<extra></extra>", "connectgaps": False,
    })
    return {"data": data, "layout": {
        "barmode": "stack", "height": 360, "margin": {"l": 44, "r": 44, "t": 12, "b": 8},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "xaxis": {"type": "category", "fixedrange": True, "automargin": True},
        "yaxis": {"title": {"text": "Ended treatments"}, "rangemode": "tozero", "fixedrange": True,
                  "tickformat": "d", **whole_steps},
        # Its own ticks (else Plotly lines them up with the counts': 31.7, 63.3, 95), and room above
        # 100 % so a month where every ending was a dropout is not drawn on the frame.
        "yaxis2": {"title": {"text": "Dropout rate (%)"}, "overlaying": "y", "side": "right", "range": [0, 105],
                   "tickvals": [0, 25, 50, 75, 100],
                   "fixedrange": True, "showgrid": False},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top", "font": {"size": 12}},
        "dragmode": False, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }}


def long_date(day: datetime.date) -> str:
    """"5 Feb 2024", the same in any server locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --- building blocks -------------------------------------------------------------------------


def _point(s: SessionRecord, scale: str, th: Thresholds, items: ScaleItems) -> SessionPoint:
    missed = []
    if s.attendance in ("no_show", "cancelled"):
        missed.append(s.attendance)
    if s.patient is not None and not s.patient.answered:
        missed.append("patient_unanswered")
    if s.therapist is not None and not s.therapist.answered:
        missed.append("therapist_unanswered")
    rupture = _rupture(s, th)
    return SessionPoint(
        number=s.number, date=s.date, attendance=s.attendance,
        patient=_score(s.patient, scale), therapist=_score(s.therapist, scale),
        rupture=rupture, missed=tuple(missed), hover=_hover(s, scale, rupture, items),
    )


def _score(answers: Answers | None, scale: str) -> float | None:
    if answers is None or not answers.answered:
        return None
    value = answers.scores.get(scale)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(float(value), 3)


def _likert(answers: Answers | None, item: str) -> int | None:
    value = answers.items.get(item) if answers is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reported(answers: Answers | None) -> bool:
    return answers is not None and answers.answered and answers.items.get("rupture") is True


def _rupture(s: SessionRecord, th: Thresholds) -> RuptureMark | None:
    by_patient, by_therapist = _reported(s.patient), _reported(s.therapist)
    if not (by_patient or by_therapist):
        return None
    source = s.patient if by_patient else s.therapist  # the patient's view decides, as in the flags
    tension, resolved = _likert(source, "rupture_tension"), _likert(source, "rupture_resolved")
    who = "both" if by_patient and by_therapist else "patient" if by_patient else "therapist"
    return RuptureMark(rupture_status(tension, resolved, th), who, tension, resolved)


def _hover(s: SessionRecord, scale: str, rupture: RuptureMark | None, items: ScaleItems) -> str:
    lines = [f"Session {s.number} · {long_date(s.date)}"]
    if s.attendance in ("no_show", "cancelled"):
        lines.append(MISSED_MARKS[s.attendance].words)
    for respondent, answers in (("patient", s.patient), ("therapist", s.therapist)):
        who = capital(respondent)
        if answers is None:
            continue
        if not answers.answered:
            lines.append(f"{who}: form not answered")
            continue
        score = _score(answers, scale)
        shown = f"{score:.1f}" if score is not None else "not scored"
        detail = ", ".join(f"{item} {_value(answers.items[item])}"
                           for item in items.get(respondent, {}).get(scale, ()) if item in answers.items)
        lines.append(f"{who}: {label(scale)} {shown}" + (f" ({detail})" if detail else ""))
    if rupture is not None:
        lines.append(rupture.text)
        if rupture.reported_by == "both":
            other = s.therapist
            lines.append(f"Therapist: tension {_of5(_likert(other, 'rupture_tension'))}, "
                         f"resolved {_of5(_likert(other, 'rupture_resolved'))}")
    # The withdrawal / confrontation indicators, whenever raised above "not at all".
    raised = [f"{item.replace('_', ' ')} {v} of 5" for item in ("held_back", "went_along", "frustrated")
              if (v := _likert(s.patient, item)) is not None and v > 1]
    if raised:
        lines.append("Patient: " + ", ".join(raised))
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _of5(value: int | None) -> str:
    return "not answered" if value is None else f"{value} of 5"


def _score_cell(p: SessionPoint, respondent: str) -> str:
    value = p.patient if respondent == "patient" else p.therapist
    if value is not None:
        return f"{value:.1f}"
    return "not answered" if f"{respondent}_unanswered" in p.missed else ""


def _band_traces(band: Band, last: int) -> list[dict[str, Any]]:
    xs = [0.5, last + 0.5]
    lower = {"type": "scatter", "mode": "lines", "x": xs, "y": [_r(band.low)] * 2, "line": {"width": 0},
             "hoverinfo": "skip", "showlegend": False, "legendgroup": "band"}
    upper = {"type": "scatter", "mode": "lines", "x": xs, "y": [_r(band.high)] * 2, "line": {"width": 0},
             "fill": "tonexty", "fillcolor": BAND_FILL, "hoverinfo": "skip", "legendgroup": "band",
             "name": "Reliable-change band"}
    baseline = {"type": "scatter", "mode": "lines", "x": xs, "y": [_r(band.baseline)] * 2,
                "line": {"color": NEUTRAL, "dash": "dot", "width": 1.5}, "hoverinfo": "skip",
                "name": f"Baseline {band.baseline:.1f}"}
    return [lower, upper, baseline]


def _score_trace(name: str, points: list[SessionPoint], respondent: str, colour: str, symbol: str,
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
                "text": [REPORTER_TEXT[p.rupture.reported_by] for p in marked if p.rupture is not None]}
        else:
            marked, text = [p for p in points if kind in p.missed], {"mode": "markers"}
        traces.append({
            "type": "scatter", "name": mark.legend, **text,
            "x": [p.number for p in marked], "y": [mark.row] * len(marked),
            "marker": {"symbol": mark.symbol, "size": 12 if kind in RUPTURE_MARKS else 10, "color": mark.colour,
                       "line": {"color": mark.colour, "width": 2 if kind in RUPTURE_MARKS else 1.5}},
            "hovertext": [p.hover for p in marked], "hovertemplate": "%{hovertext}<extra></extra>",
            "cliponaxis": False,
        })
    return traces


def _layout(last: int, data: list[dict[str, Any]], *, has_ruptures: bool) -> dict[str, Any]:
    annotations = []
    if not data:
        annotations.append({"text": "No sessions yet", "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                            "showarrow": False})
    if has_ruptures:
        annotations.append({"text": RUPTURE_KEY, "xref": "paper", "yref": "paper", "x": 0, "y": 1,
                            "xanchor": "left", "yanchor": "bottom", "yshift": 14, "showarrow": False,
                            "font": {"size": 10, "color": NEUTRAL}})
    legend_rows = math.ceil(sum(1 for t in data if t.get("showlegend", True)) / 2)
    return {
        "height": PLOT_PX + 40 + legend_rows * LEGEND_ROW_PX,
        "margin": {"l": 44, "r": 12, "t": 36, "b": 8},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        # No x title: it would sit under the legend; the ticks are session numbers, as the caption says.
        "xaxis": {"range": [0.5, last + 0.5], "tickmode": "linear", "tick0": 1, "ticklabelstandoff": 2,
                  "dtick": max(1, math.ceil(last / 12)), "fixedrange": True, "zeroline": False,
                  "automargin": True},
        "yaxis": {"title": {"text": "Score (1 to 5)"}, "range": Y_RANGE, "tickvals": [1, 2, 3, 4, 5],
                  "fixedrange": True, "zeroline": False},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -28 / PLOT_PX, "yanchor": "top",
                   "font": {"size": 11}, "entrywidth": LEGEND_ENTRY_PX, "entrywidthmode": "pixels",
                   "maxheight": 0.9, "traceorder": "normal"},
        "hovermode": "closest",
        "hoverlabel": {"align": "left"},
        "dragmode": False,
        "annotations": annotations,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }


def _r(x: float) -> float:
    return round(x, 3)
