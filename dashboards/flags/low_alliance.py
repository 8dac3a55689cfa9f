"""A low overall alliance: below the instrument's low cutoff. Early in treatment a low alliance
predicts dropout, so there it is high once confirmed (low_confirm scored sessions in a row);
one low score, or a low score later on, is a watch."""

from dashboards.flags.events import Event
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline
from dashboards.flags.wording import count, rounded, score_n
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_


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
        note = (phrase(N_("; early in treatment (first %(count)s sessions) a low alliance can go with a higher "
                          "risk of dropping out, so it is worth a prompt look"), count=count(th.early_sessions))
                if early else Phrase(N_("; worth a look")))
        again = phrase(N_(", %(count)s scored sessions in a row"), count=count(run)) if run > 1 else ""
        events.append(Event(
            code="low_alliance", severity="high" if high else "watch", session_number=p.number,
            current=t.is_recent(p.number),
            numbers={"score": rounded(p.score), "cutoff": norm.low_cutoff, "early": int(early),
                     "in_a_row": run, "confirm": th.low_confirm},
            reason=phrase(N_("The overall alliance score was %(score)s, below the instrument's low cutoff of "
                             "%(cutoff)s%(again)s%(note)s."),
                          score=score_n(p.score), cutoff=score_n(norm.low_cutoff), again=again, note=note),
        ))
    return events
