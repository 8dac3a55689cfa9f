"""The outcome trend beside the alliance: one plotly.js figure (plain dicts) of stacked rows sharing the
session axis, so that a bond falling before a worsening PHQ-9 is seen in one place.

One row per outcome measure (PHQ-9 first, then GAD-7 and any other), each with its severity bands
shaded and named, the clinical cut-off, and the reliable-change band around the first score (the
later scores within measurement error, `series.error_range`: a score outside it is a reliable
change); the bottom row is the patient's own overall alliance (1 to 5). Only the patient's answers,
no therapist ratings: the review with the patient draws the same figure, its legend in the patient's
words (`plain`). `outcome_table` is its text alternative.
"""

from __future__ import annotations

import datetime
import html
import math
from typing import Any

from dashboards.charts.style import FONT_FAMILY, MODE_BAR_ROOM, NEUTRAL, PATIENT_COLOUR
from dashboards.flags import PatientHistory
from dashboards.flags.timeline import as_score
from dashboards.outcomes import Measure
from dashboards.outcomes.series import band_text, error_range
from feedback.phrases import Day, Localised, Num, Phrase, phrase
from feedback.translatable import N_

#: Row order: depression first (the issue's pattern to see is a worsening PHQ-9), then the others.
FIRST = ("phq9", "gad7")
#: Okabe–Ito colours and a marker shape per row, so colour is never the only difference.
LINES = (("#0072B2", "circle"), ("#CC79A7", "square"), ("#E69F00", "triangle-up"))
ALLIANCE_LINE = ("#009E73", "diamond")
SEVERITY_FILL = "rgba(213,94,0,{alpha})"  # darker for the more severe bands (the higher, unless higher is better)
RC_FILL = "rgba(0,114,178,0.10)"
ROW_PX, ALLIANCE_PX, GAP_PX = 190, 130, 44
#: Legend words for clinicians, and for the patient (the review): reliable-change band, alliance line.
WORDS = {False: (N_("%(name)s: within measurement error (%(low)s to %(high)s)"), N_("Alliance (patient)")),
         True: (N_("%(name)s: within ordinary ups and downs of your first score"),
                N_("Working together (your rating)"))}


def measures_in_order(history: PatientHistory, as_of: datetime.date | None = None) -> list[Measure]:
    found = [m.until(as_of) if as_of else m for m in history.outcomes.values()]
    found = [m for m in found if m.scores]
    return sorted(found, key=lambda m: (FIRST.index(m.scale) if m.scale in FIRST else len(FIRST), m.name))


def alliance_points(history: PatientHistory,
                    as_of: datetime.date | None = None) -> list[tuple[int, datetime.date, float]]:
    """(session, day, score) of the patient's own overall alliance; unanswered and unscored left out."""
    points = []
    for s in sorted(history.sessions, key=lambda s: s.number):
        value = as_score(s.patient.scores.get("alliance")) if s.patient and s.patient.answered else None
        if value is not None and (as_of is None or s.date <= as_of):
            points.append((s.number, s.date, value))
    return points


def outcome_chart(history: PatientHistory, *, as_of: datetime.date | None = None,
                  plain: bool = False) -> dict[str, Any]:
    measures = measures_in_order(history, as_of)
    alliance = alliance_points(history, as_of)
    last = max([s.session_number for m in measures for s in m.scores] + [n for n, _, _ in alliance] + [1])
    heights = [ROW_PX] * len(measures) + [ALLIANCE_PX]
    domains = _domains(heights)
    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    for row, measure in enumerate(measures):
        axis = "" if row == 0 else str(row + 1)
        colour, symbol = LINES[min(row, len(LINES) - 1)]
        top = measure.top or max(s.total for s in measure.scores)
        layout[f"yaxis{axis}"] = {"title": {"text": measure.name}, "domain": domains[row], "range": [0, top],
                                  "fixedrange": True, "zeroline": False, "anchor": "x"}
        shapes += _severity(measure, axis, top)
        annotations += _band_names(measure, axis, top)
        data += _reliable_band(measure, axis, last, WORDS[plain][0])
        scores = measure.scores
        data.append(_line(measure.name, [s.session_number for s in scores], [s.total for s in scores],
                          [_hover(measure, s.session_number) for s in scores], axis, colour, symbol))
    axis = "" if not measures else str(len(measures) + 1)
    layout[f"yaxis{axis}"] = {"title": {"text": Phrase(N_("Alliance"))}, "domain": domains[-1], "range": [0.8, 5.2],
                              "tickvals": [1, 2, 3, 4, 5], "fixedrange": True, "zeroline": False, "anchor": "x"}
    line_name = Phrase(WORDS[plain][1])
    data.append(_line(line_name, [n for n, _, _ in alliance], [v for _, _, v in alliance],
                      [phrase(N_("Session %(number)s · %(day)s<br>%(line)s: %(score)s of 5"), number=n, day=Day(d),
                              line=line_name, score=Num(v, 1)) for n, d, v in alliance],
                      axis, *ALLIANCE_LINE))
    layout.update({
        "height": sum(heights) + GAP_PX * (len(heights) - 1) + 90,
        "margin": {"l": 52, "r": 12, "t": MODE_BAR_ROOM + 6, "b": 8},
        "font": {"family": FONT_FAMILY, "size": 13},
        "xaxis": {"range": [0.5, last + 0.5], "tickmode": "linear", "tick0": 1, "dtick": max(1, math.ceil(last / 12)),
                  "fixedrange": True, "zeroline": False, "anchor": "y" if len(heights) == 1 else f"y{len(heights)}",
                  "title": {"text": Phrase(N_("Session"))}},
        "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom", "font": {"size": 11}},
        "shapes": shapes, "annotations": annotations, "hovermode": "closest", "hoverlabel": {"align": "left"},
        "dragmode": False, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    })
    return {"data": data, "layout": layout}


def _domains(heights: list[int]) -> list[list[float]]:
    """Each row's share of the plot height, top row first, with gaps between rows for their titles."""
    total = sum(heights) + GAP_PX * (len(heights) - 1)
    domains, top = [], 1.0
    for h in heights:
        bottom = max(0.0, top - h / total)
        domains.append([round(bottom, 4), round(top, 4)])
        top = bottom - GAP_PX / total
    return domains


def _ref(axis: str) -> str:
    return f"y{axis}"


def _severity(m: Measure, axis: str, top: float) -> list[dict[str, Any]]:
    """The instrument's severity bands as shaded stripes behind the line, and the clinical cut-off."""
    starts = [b.start for b in m.rules.bands] + [top]
    worse = m.rules.higher_is == "worse"
    depth = [i if worse else len(m.rules.bands) - 1 - i for i in range(len(m.rules.bands))]
    stripes = [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": _ref(axis), "y0": lo, "y1": hi,
                "fillcolor": SEVERITY_FILL.format(alpha=round(0.03 + 0.04 * depth[i], 2)), "line": {"width": 0},
                "layer": "below"}
               for i, (lo, hi) in enumerate(zip(starts, starts[1:], strict=False)) if hi > lo]
    if m.rules.caseness is not None:
        stripes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": _ref(axis), "y0": m.rules.caseness,
                        "y1": m.rules.caseness, "line": {"color": NEUTRAL, "dash": "dash", "width": 1}})
    return stripes


def _band_names(m: Measure, axis: str, top: float) -> list[dict[str, Any]]:
    starts = [b.start for b in m.rules.bands] + [top]
    return [{"text": Localised(tuple((lang, html.escape(text)) for lang, text in b.label.items())),
             "xref": "paper", "x": 1,
             "xanchor": "right", "yref": _ref(axis), "y": (lo + hi) / 2, "showarrow": False,
             "font": {"size": 10, "color": NEUTRAL}}
            for b, lo, hi in zip(m.rules.bands, starts, starts[1:], strict=False) if hi > lo]


def _reliable_band(m: Measure, axis: str, last: int, words: str) -> list[dict[str, Any]]:
    """The later scores around the first that are no reliable change: a score outside the band is one."""
    found = error_range(m)
    if found is None:
        return []
    xs = [0.5, last + 0.5]
    low, high = found.low, found.high
    name = phrase(words, name=html.escape(m.name), low=Num(low), high=Num(high))
    edge = {"type": "scatter", "mode": "lines", "x": xs, "yaxis": _ref(axis), "hoverinfo": "skip",
            "line": {"color": PATIENT_COLOUR, "width": 1, "dash": "dot"}, "legendgroup": f"rc-{m.scale}"}
    return [{**edge, "y": [low, low], "showlegend": False},
            {**edge, "y": [high, high], "fill": "tonexty", "fillcolor": RC_FILL, "name": name}]


def _line(name: Phrase | str, xs: list[int], ys: list[float], hover: list[Phrase], axis: str, colour: str,
          symbol: str) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": xs, "y": ys, "yaxis": _ref(axis),
            "line": {"color": colour, "width": 2.5}, "marker": {"symbol": symbol, "size": 9, "color": colour},
            "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"}


def _hover(m: Measure, number: int) -> Phrase:
    score = m.at(number)
    assert score is not None
    return phrase(N_("Session %(number)s · %(day)s<br>%(measure)s %(total)s (%(band)s)"), number=number,
                  day=Day(score.date), measure=html.escape(m.name, quote=False), total=Num(score.total),
                  band=Localised(tuple((lang, html.escape(text, quote=False))
                                       for lang, text in band_text(m.rules, score.total).texts)))
