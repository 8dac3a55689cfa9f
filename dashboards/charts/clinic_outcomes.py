"""The director's outcome chart: each NHS Talking Therapies rate of the clinic's ended treatments as a
dot with its 95% interval, and England's published rate as a reference mark labelled with its year.

Its text alternative is the table beside it on the overview (the same counts and intervals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashboards.charts.style import FONT_FAMILY, MODE_BAR_ROOM, NEUTRAL, PATIENT_COLOUR
from dashboards.outcomes.tally import KIND_NAMES

if TYPE_CHECKING:  # outcome_stats queries the database; the chart needs only its plain result type
    from dashboards.outcome_stats import OutcomeFigures


def outcome_rates_chart(found: OutcomeFigures) -> dict[str, Any]:
    shares = [s for s in found.shares if s.rate.total]
    names = [KIND_NAMES[s.kind] for s in shares]
    clinic = {
        "type": "scatter", "mode": "markers", "name": "This clinic (95% interval)",
        "x": [_pct(s.rate.value) for s in shares], "y": names,
        "marker": {"color": PATIENT_COLOUR, "size": 11, "symbol": "circle"},
        "error_x": {"type": "data", "symmetric": False, "color": PATIENT_COLOUR, "thickness": 2,
                    "array": [_pct(s.high - (s.rate.value or 0)) for s in shares],
                    "arrayminus": [_pct((s.rate.value or 0) - s.low) for s in shares]},
        "hovertext": [f"{KIND_NAMES[s.kind]}: {s.rate.count} of {s.rate.total} ({_pct(s.rate.value):.0f}%; "
                      f"95% interval {_pct(s.low):.0f}–{_pct(s.high):.0f}%)" for s in shares],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    marked = [s for s in shares if s.reference is not None]
    reference = {
        "type": "scatter", "mode": "markers", "name": f"England {found.reference.year}, NHS Talking Therapies",
        "x": [_pct(s.reference) for s in marked], "y": [KIND_NAMES[s.kind] for s in marked],
        "marker": {"symbol": "line-ns-open", "size": 26, "color": NEUTRAL, "line": {"width": 3, "color": NEUTRAL}},
        "hovertext": [f"England {found.reference.year}: {_pct(s.reference):.0f}% (for reference only)" for s in marked],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    return {"data": [clinic, reference] if marked else [clinic], "layout": {
        "height": 120 + 56 * max(len(names), 1), "margin": {"l": 170, "r": 16, "t": MODE_BAR_ROOM + 6, "b": 8},
        "font": {"family": FONT_FAMILY, "size": 13},
        "xaxis": {"title": {"text": "% of ended treatments"}, "range": [0, 100], "fixedrange": True,
                  "ticksuffix": "%", "automargin": True},
        "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": names[::-1], "fixedrange": True,
                  "automargin": True},
        "legend": {"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top", "font": {"size": 12}},
        "hovermode": "closest", "dragmode": False, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }}


def _pct(value: float | None) -> float:
    return round(100 * (value or 0.0), 1)
