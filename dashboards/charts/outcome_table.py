"""The outcome chart as a table: its accessible alternative, the same facts in words."""

from __future__ import annotations

import datetime

from dashboards.charts.outcome import alliance_points, measures_in_order
from dashboards.charts.table import ChartTable
from dashboards.flags import PatientHistory
from dashboards.outcomes import Measure
from dashboards.outcomes.series import band_text, error_range
from feedback.phrases import Day, Num, Phrase, phrase
from feedback.translatable import N_

ALLIANCE_COLUMN = N_("Alliance (patient, 1 to 5)")


def outcome_table(history: PatientHistory, *, as_of: datetime.date | None = None,
                  alliance_column: str = ALLIANCE_COLUMN) -> ChartTable:
    measures = measures_in_order(history, as_of)
    alliance = {n: v for n, _, v in alliance_points(history, as_of)}
    days = {s.number: s.date for s in history.sessions}
    numbers = sorted({s.session_number for m in measures for s in m.scores} | set(alliance))
    rows = []
    for n in numbers:
        cells = [_cell(m, n) for m in measures]
        rows.append((str(n), Day(days[n]) if n in days else "", *cells,
                     Num(alliance[n], 1) if n in alliance else ""))
    return ChartTable(
        caption=Phrase(N_("Outcome questionnaires and the patient's alliance rating by session")),
        columns=(Phrase(N_("Session")), Phrase(N_("Date")), *(m.name for m in measures), Phrase(alliance_column)),
        rows=tuple(rows),
        notes=tuple(note for m in measures if (note := reliable_range(m))),
    )


def _cell(m: Measure, number: int) -> Phrase | str:
    score = m.at(number)
    return "" if score is None else phrase(N_("%(total)s (%(band)s)"), total=Num(score.total),
                                           band=band_text(m.rules, score.total))


def reliable_range(m: Measure) -> Phrase | str:
    """"PHQ-9: first score 15 (session 1); a change of 6 points or more — 9 or below, or 21 or above — is
    beyond measurement error (a reliable change); a later score from 10 to 20 is within it …"."""
    first, rules, found = m.first, m.rules, error_range(m)
    if first is None or found is None:
        return ""
    edges = [phrase(N_("%(edge)s or below") if side == "below" else N_("%(edge)s or above"), edge=Num(edge))
             for edge, side in ((found.below, "below"), (found.above, "above")) if edge is not None]
    size = Num(rules.reliable_change or 0)
    if len(edges) == 2:
        reach = phrase(N_("a change of %(size)s points or more — %(low)s, or %(high)s — is beyond measurement error "
                          "(a reliable change)"), size=size, low=edges[0], high=edges[1])
    elif edges:
        reach = phrase(N_("a change of %(size)s points or more — %(edge)s — is beyond measurement error (a reliable "
                          "change)"), size=size, edge=edges[0])
    else:
        reach = phrase(N_("a change of %(size)s points or more would be beyond measurement error (a reliable "
                          "change), more than this scale allows"), size=size)
    cutoff = (phrase(N_("; the clinical cut-off is %(cutoff)s"), cutoff=Num(rules.caseness))
              if rules.caseness is not None else "")
    return phrase(N_("%(measure)s: first score %(first)s (session %(session)s); %(reach)s; a later score from "
                     "%(low)s to %(high)s is within it%(cutoff)s."), measure=m.name, first=Num(first.total),
                  session=first.session_number, reach=reach, low=Num(found.low), high=Num(found.high), cutoff=cutoff)
