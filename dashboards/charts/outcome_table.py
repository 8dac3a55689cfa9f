"""The outcome chart as a table: its accessible alternative, the same facts in words."""

from __future__ import annotations

import datetime

from dashboards.charts.dates import long_date
from dashboards.charts.outcome import alliance_points, measures_in_order
from dashboards.charts.table import ChartTable
from dashboards.flags import PatientHistory
from dashboards.outcomes import Measure
from dashboards.outcomes.series import band_words, error_range

ALLIANCE_COLUMN = "Alliance (patient, 1 to 5)"


def outcome_table(history: PatientHistory, *, as_of: datetime.date | None = None,
                  alliance_column: str = ALLIANCE_COLUMN) -> ChartTable:
    measures = measures_in_order(history, as_of)
    alliance = {n: v for n, _, v in alliance_points(history, as_of)}
    days = {s.number: s.date for s in history.sessions}
    numbers = sorted({s.session_number for m in measures for s in m.scores} | set(alliance))
    rows = []
    for n in numbers:
        cells = [_cell(m, n) for m in measures]
        rows.append((str(n), long_date(days[n]) if n in days else "", *cells,
                     f"{alliance[n]:.1f}" if n in alliance else ""))
    return ChartTable(
        caption="Outcome questionnaires and the patient's alliance rating by session",
        columns=("Session", "Date", *(m.name for m in measures), alliance_column),
        rows=tuple(rows),
        notes=tuple(note for m in measures if (note := reliable_range(m))),
    )


def _cell(m: Measure, number: int) -> str:
    score = m.at(number)
    return "" if score is None else f"{score.total:g} ({band_words(m.rules, score.total)})"


def reliable_range(m: Measure) -> str:
    """"PHQ-9: first score 15 (session 1); a change of 6 points or more — 9 or below, or 21 or above — is
    beyond measurement error (a reliable change); a later score from 10 to 20 is within it …"."""
    first, rules, found = m.first, m.rules, error_range(m)
    if first is None or found is None:
        return ""
    edges = [f"{edge:g} or {side}" for edge, side in ((found.below, "below"), (found.above, "above"))
             if edge is not None]
    size = f"a change of {rules.reliable_change:g} points or more"
    reach = (f"{size} — {', or '.join(edges)} — is beyond measurement error (a reliable change)" if edges else
             f"{size} would be beyond measurement error (a reliable change), more than this scale allows")
    cutoff = f"; the clinical cut-off is {rules.caseness:g}" if rules.caseness is not None else ""
    return (f"{m.name}: first score {first.total:g} (session {first.session_number}); {reach}; a later score "
            f"from {found.low:g} to {found.high:g} is within it{cutoff}.")
