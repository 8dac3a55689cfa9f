"""The marker items when the patient names no rupture: quiet withdrawal (held back, went
along) and confrontation without a named rupture (frustrated). Withdrawal is the kind therapists
miss most and patients rarely call a problem; frustration not called a rupture can be a
confrontation that is not being said (docs/clinical-model.md, "Ruptures").

One answer of 4–5 is a note: a reason to ask, and common in ordinary sessions. The same marker
in marker_confirm of the last marker_window answered sessions is a pattern, and an alert (watch).
"""

from dashboards.flags.events import Event
from dashboards.flags.history import Answers
from dashboards.flags.items import ITEM_TEXT, likert, reports_rupture
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline
from dashboards.flags.wording import listed
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

# code -> (the marker items, the rupture kind they suggest, for the guidance panel)
MARKERS = {
    "quiet_withdrawal": (("held_back", "went_along"), "withdrawal"),
    "unnamed_confrontation": (("frustrated",), "confrontation"),
}


def marker_events(t: Timeline, th: Thresholds) -> list[Event]:
    events: list[Event] = []
    answered: list[tuple[int, Answers]] = []
    for session in t.sessions:
        patient = session.patient
        if patient is None or not patient.answered:
            continue
        answered.append((session.number, patient))
        if reports_rupture(patient):
            continue  # the rupture rules read the markers of a named rupture
        window = answered[-th.marker_window:]
        for code, (items, kind) in MARKERS.items():
            raised = _raised(patient, items, th)
            if raised:
                events.append(_event(code, kind, session.number, raised, window, items, t, th))
    return events


def _raised(patient: Answers, items: tuple[str, ...], th: Thresholds) -> list[tuple[str, int]]:
    return [(item, v) for item in items if (v := likert(patient.items, item)) is not None and v >= th.marker_min]


def _event(code: str, kind: str, number: int, raised: list[tuple[str, int]],
           window: list[tuple[int, Answers]], items: tuple[str, ...], t: Timeline, th: Thresholds) -> Event:
    with_marker = [n for n, answers in window if not reports_rupture(answers) and _raised(answers, items, th)]
    pattern = len(with_marker) >= th.marker_confirm
    quoted = listed([phrase(N_('%(value)s of 5 to "%(item)s"'), value=v, item=Phrase(ITEM_TEXT[item]))
                     for item, v in raised])
    what = (N_("quiet withdrawal, the kind most easily missed; it may be worth gently inviting what went unsaid")
            if kind == "withdrawal" else
            N_("confrontation that is not being said; it may be worth inviting the dissatisfaction openly"))
    again = (phrase(N_(", as in %(count)s of the last %(window)s answered sessions (sessions %(sessions)s)"),
                    count=len(with_marker), window=len(window), sessions=listed(with_marker)) if pattern else "")
    numbers: dict[str, float | int | str] = {item: v for item, v in raised}
    numbers |= {"threshold": th.marker_min, "kind": kind, "sessions": ", ".join(map(str, with_marker)),
                "confirm": th.marker_confirm, "window": th.marker_window}
    return Event(
        code=code, severity="watch" if pattern else "note", session_number=number, numbers=numbers,
        current=t.is_recent(number),
        reason=phrase(N_("The patient did not report tension with the therapist but answered %(quoted)s%(again)s, "
                         "which can be a sign of %(what)s."), quoted=quoted, again=again, what=Phrase(what)),
    )
