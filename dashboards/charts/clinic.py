"""The director's chart: ended treatments per month stacked by reason, and the dropout rate.

Its text alternative is the month table (`clinic_stats.ClinicOverview.ended_by_month`) itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dashboards.charts.style import FONT_FAMILY, MODE_BAR_ROOM, NEUTRAL
from feedback.phrases import Phrase
from feedback.translatable import N_

if TYPE_CHECKING:  # clinic_stats queries the database; the chart needs only its plain result type
    from dashboards.clinic_stats import EndedMonth

END_REASON_STYLE = {  # reason -> (legend name, colour, bar pattern): the pattern, not only colour, tells them apart
    "completed": (N_("Completed"), "#009E73", ""),
    "dropped_out": (N_("Dropped out"), "#D55E00", "/"),
    "transferred": (N_("Transferred"), "#56B4E9", "."),
}
#: Up to this many ended treatments a month, the count axis steps by one.
SMALL_COUNTS = 10


def ended_by_month_chart(months: Sequence[EndedMonth]) -> dict[str, Any]:
    """A plotly.js figure (plain dicts): a bar per month, stacked by end reason, and the dropout rate's line."""
    labels = [m.month for m in months]
    # Counts: with a few per month Plotly picks half steps, which "d" shows as 0, 1, 1, 2, 2.
    whole_steps = {"dtick": 1} if max((m.ended for m in months), default=0) <= SMALL_COUNTS else {}
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": Phrase(name), "x": labels, "y": [m.by_reason.get(reason, 0) for m in months],
         "marker": {"color": colour, "pattern": {"shape": pattern}},
         "hovertemplate": "%{x}: %{y} (%{fullData.name})<extra></extra>"}  # the trace's name, in the page's language
        for reason, (name, colour, pattern) in END_REASON_STYLE.items()
    ]
    data.append({
        "type": "scatter", "mode": "lines+markers", "name": Phrase(N_("Dropout rate")), "yaxis": "y2", "x": labels,
        "y": [None if m.dropout.value is None else round(100 * m.dropout.value, 1) for m in months],
        "line": {"color": NEUTRAL, "dash": "dot"}, "marker": {"symbol": "diamond", "size": 8, "color": NEUTRAL},
        "hovertemplate": "%{x}: %{fullData.name} %{y}%<extra></extra>", "connectgaps": False,
    })
    return {"data": data, "layout": {
        # Room at the top for the mode bar, which otherwise sat on the 100 % tick label.
        "barmode": "stack", "height": 384, "margin": {"l": 44, "r": 44, "t": MODE_BAR_ROOM + 6, "b": 8},
        "font": {"family": FONT_FAMILY, "size": 13},
        "xaxis": {"type": "category", "fixedrange": True, "automargin": True},
        "yaxis": {"title": {"text": Phrase(N_("Ended treatments"))}, "rangemode": "tozero", "fixedrange": True,
                  "tickformat": "d", **whole_steps},
        # Its own ticks (else Plotly lines them up with the counts': 31.7, 63.3, 95), and room above
        # 100 % so a month where every ending was a dropout is not drawn on the frame.
        "yaxis2": {"title": {"text": Phrase(N_("Dropout rate (%)"))}, "overlaying": "y", "side": "right",
                   "range": [0, 105],
                   "tickvals": [0, 25, 50, 75, 100],
                   "fixedrange": True, "showgrid": False},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top", "font": {"size": 12}},
        "dragmode": False, "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }}
