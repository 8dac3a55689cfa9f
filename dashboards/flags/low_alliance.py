"""A low overall alliance: below the instrument's low cutoff. Early in treatment a low alliance
predicts dropout, so there it is high once confirmed (low_confirm scored sessions in a row);
one low score, or a low score later on, is a watch."""

from dashboards.flags.events import Event
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline
from dashboards.flags.wording import count, rounded, score


def low_alliance_events(t: Timeline, th: Thresholds) -> list[Event]:
    norm = t.norms.get("alliance")
    if norm is None or norm.low_cutoff is None:
        return []
    events = []
    run = 0  # scored sessions in a row below the cutoff, ending here
    for p in t.points.get("alliance", ()):
        run = run + 1 if p.score < norm.low_cutoff else 0
        if not run:
            continue
        early = p.number <= th.early_sessions
        high = early and run >= th.low_confirm
        note = (f"; early in treatment (first {count(th.early_sessions)} sessions) a low alliance "
                "can go with a higher risk of dropping out, so it is worth a prompt look"
                if early else "; worth a look")
        again = f", {count(run)} scored sessions in a row" if run > 1 else ""
        events.append(Event(
            code="low_alliance", severity="high" if high else "watch", session_number=p.number,
            current=t.is_recent(p.number),
            numbers={"score": rounded(p.score), "cutoff": norm.low_cutoff, "early": int(early),
                     "in_a_row": run, "confirm": th.low_confirm},
            reason=(f"The overall alliance score was {score(p.score)}, below the instrument's low "
                    f"cutoff of {score(norm.low_cutoff)}{again}{note}."),
        ))
    return events
