"""A low overall alliance, flagged high early in treatment, when it predicts dropout."""

from dashboards.flags.events import Event
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline
from dashboards.flags.wording import count, rounded, score


def low_alliance_events(t: Timeline, th: Thresholds) -> list[Event]:
    norm = t.norms.get("alliance")
    if norm is None or norm.low_cutoff is None:
        return []
    events = []
    for p in t.points.get("alliance", ()):
        if p.score >= norm.low_cutoff:
            continue
        early = p.number <= th.early_sessions
        note = (f"; early in treatment (first {count(th.early_sessions)} sessions) a low "
                "alliance can go with a higher risk of dropping out, so it is worth a look"
                if early else "; worth a look")
        events.append(Event(
            code="low_alliance", severity="high" if early else "watch", session_number=p.number,
            current=t.is_recent(p.number),
            numbers={"score": rounded(p.score), "cutoff": norm.low_cutoff,
                     "early": int(early)},
            reason=(f"The overall alliance score was {score(p.score)}, below the "
                    f"instrument's low cutoff of {score(norm.low_cutoff)}{note}."),
        ))
    return events
