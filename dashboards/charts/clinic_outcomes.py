"""The director's outcome chart: each NHS Talking Therapies rate of the clinic's ended treatments as a
dot with its 95% interval, and England's published rate as a reference mark labelled with its year.

Its text alternative is the table beside it on the overview (the same counts and intervals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashboards.charts.style import FONT_FAMILY, MODE_BAR_ROOM, NEUTRAL, PATIENT_COLOUR
from dashboards.outcomes.tally import KIND_NAMES
from feedback.phrases import Num, Phrase, phrase
from feedback.translatable import N_

if TYPE_CHECKING:  # outcome_stats queries the database; the chart needs only its plain result type
    from dashboards.outcome_stats import OutcomeFigures


def outcome_rates_chart(found: OutcomeFigures) -> dict[str, Any]:
    shares = [s for s in found.shares if s.rate.total]
    names = [Phrase(KIND_NAMES[s.kind]) for s in shares]
    clinic = {
        "type": "scatter", "mode": "markers", "name": Phrase(N_("This clinic (95% interval)")),
        "x": [_pct(s.rate.value) for s in shares], "y": names,
        "marker": {"color": PATIENT_COLOUR, "size": 11, "symbol": "circle"},
        "error_x": {"type": "data", "symmetric": False, "color": PATIENT_COLOUR, "thickness": 2,
                    "array": [_pct(s.high - (s.rate.value or 0)) for s in shares],
                    "arrayminus": [_pct((s.rate.value or 0) - s.low) for s in shares]},
        "hovertext": [phrase(N_("%(kind)s: %(count)s of %(total)s (%(share)s%%; 95%% interval %(low)s–%(high)s%%)"),
                             kind=Phrase(KIND_NAMES[s.kind]), count=s.rate.count, total=s.rate.total,
                             share=Num(_pct(s.rate.value), 0), low=Num(_pct(s.low), 0), high=Num(_pct(s.high), 0))
                      for s in shares],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    marked = [s for s in shares if s.reference is not None]
    reference = {
        "type": "scatter", "mode": "markers",
        "name": phrase(N_("England %(year)s, NHS Talking Therapies"), year=found.reference.year),
        "x": [_pct(s.reference) for s in marked], "y": [Phrase(KIND_NAMES[s.kind]) for s in marked],
        "marker": {"symbol": "line-ns-open", "size": 26, "color": NEUTRAL, "line": {"width": 3, "color": NEUTRAL}},
        "hovertext": [phrase(N_("England %(year)s: %(share)s%% (for reference only)"), year=found.reference.year,
                             share=Num(_pct(s.reference), 0)) for s in marked],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    return {"data": [clinic, reference] if marked else [clinic], "layout": {
        "height": 120 + 56 * max(len(names), 1), "margin": {"l": 170, "r": 16, "t": MODE_BAR_ROOM + 6, "b": 8},
        "font": {"family": FONT_FAMILY, "size": 13},
        "xaxis": {"title": {"text": Phrase(N_("Share of ended treatments (%)"))}, "range": [0, 100], "fixedrange": True,
                  "ticksuffix": "%", "automargin": True},
        "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": names[::-1], "fixedrange": True,
                  "automargin": True},
        "legend": {"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top", "font": {"size": 12}},
        "hovermode": "closest", "dragmode": False, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }}


def _pct(value: float | None) -> float:
    return round(100 * (value or 0.0), 1)
