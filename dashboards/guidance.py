"""The guidance panel: when a rupture or a decline is flagged, which kind it looks like, the
fitting approach from the rupture-resolution model, and a few metacommunication openers.

Content from docs/clinical-model.md, "Resolution" (Safran, Muran & Eubanks-Carter): withdrawal
ruptures resolve toward self-assertion, confrontation ruptures toward vulnerability; a weakening
alliance without a rupture first calls for checking agreement on goals and tasks. Pure data: the
view renders it, and the therapist's note goes wherever the view stores it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from dashboards.flags import DEFAULT_THRESHOLDS, Answers, PatientHistory, Thresholds
from dashboards.flags.events import ALERTS
from dashboards.flags.items import INDICATORS, ITEM_TEXT
from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

RUPTURE_CODES = frozenset({"unresolved_rupture", "rupture", "rupture_missed", "repeated_ruptures", "quiet_withdrawal",
                           "appeasement", "unnamed_confrontation"})
DECLINE_CODES = frozenset({"reliable_decline", "sudden_drop", "low_alliance"})

# Patient indicator items (post-session-patient) and therapist markers (post-session-therapist)
# with the kind they point to and how the panel quotes them.
PATIENT_SIGNS = {item: (kind, ITEM_TEXT[item]) for item, kind in INDICATORS.items()}
THERAPIST_SIGNS = {
    "withdrawal_away": ("withdrawal", N_("withdrawal, away from you")),
    "withdrawal_toward": ("withdrawal", N_("withdrawal, toward you (going along, appeasing)")),
    "confrontation": ("confrontation", N_("confrontation")),
}

# Flags that name the rupture's kind by themselves, and how the panel says so.
FLAGGED_KIND = {
    "quiet_withdrawal": ("withdrawal", N_("Flagged as a possible quiet withdrawal")),
    "appeasement": ("withdrawal", N_("Flagged as possible appeasement: a rupture rated resolved while the patient "
                                     "went along or rated the alliance low")),
    "unnamed_confrontation": ("confrontation", N_("Flagged as frustration with you or the work that the patient "
                                                  "did not call a rupture")),
}

TITLES = {
    "withdrawal": N_("It looks like a withdrawal rupture"),
    "confrontation": N_("It looks like a confrontation rupture"),
    "mixed": N_("Signs of both withdrawal and confrontation"),
    "unclear": N_("A rupture whose kind is not clear yet"),
    "decline": N_("The alliance is weakening, without a reported rupture"),
}
APPROACHES = {
    "withdrawal": N_(
        "Withdrawal moves away from you, or toward you at the cost of the patient's own view, and is the "
        "kind most easily missed. Make it safe to voice what was held back: notice the marker, invite "
        "exploration gently, and welcome and validate negative feelings, also about you or the work, so "
        "the patient can move toward saying what they need (self-assertion)."
    ),
    "confrontation": N_(
        "Confrontation moves against you or the work. Stay non-defensive, empathise with the "
        "dissatisfaction and acknowledge your own part in what happened. Beneath the anger there is often "
        "hurt and disappointment; exploring it together can lead toward vulnerability and the wish to be "
        "cared for."
    ),
    "unclear": N_(
        "The patient reported tension without clear signs of its kind. Attend to it early in the next "
        "session: name it tentatively, invite the patient's view of what happened between you, and notice "
        "whether they move away from you (withdrawal) or against you (confrontation)."
    ),
    "decline": N_(
        "Check that you agree on goals and tasks: clarify the rationale for what you do together "
        "(direct, surface) or adjust the task or goal (indirect, surface). If it continues, talk about what "
        "is happening between you (metacommunication)."
    ),
}
OPENERS = {
    "withdrawal": (
        N_("I have a sense something may have gone unsaid between us last time. I'd really like to hear it, "
           "even if it's critical of me or of how we're working."),
        N_("I noticed we went along with my suggestion quite quickly. I'm wondering how it actually sat with you?"),
        N_("What are you feeling right now, as we talk about this?"),
        N_("What's going on between us right now?"),
    ),
    "confrontation": (
        N_("It sounds like something about how we've been working isn't right for you. Can we look at it together?"),
        N_("I think I may have contributed to this, and I'd like to understand how it was for you."),
        N_("I'm aware of feeling a bit defensive right now, and I'd rather understand what you're telling me."),
        N_("It seems we're in some kind of dance. Does that fit for you?"),
    ),
    "unclear": (
        N_("I had a sense that something between us didn't quite work last time. How was it for you?"),
        N_("What's going on between us right now?"),
        N_("What are you feeling right now?"),
    ),
    "decline": (
        N_("I'm wondering how our work together feels to you at the moment."),
        N_("Are we working on what matters most to you?"),
        N_("Does the way we're working make sense to you? I'd really like to hear if it doesn't."),
        N_("What's going on between us right now?"),
    ),
}
MAX_OPENERS = 5
PROCESS_NOTE = N_("A first attempt to talk about it often brings more strain at first; that is part of the process.")
DISCLAIMER = N_(
    "This supports your clinical judgement. It is not a script and not a diagnosis: you know this "
    "patient and this relationship."
)
NOTE_PROMPT = N_("What do you plan to do, or what happened when you raised it?")


class EventLike(Protocol):
    """A flag event: `dashboards.flags.Event` or a stored `dashboards.risk.models.RiskEvent`."""

    code: str
    severity: str
    current: bool
    session_number: int | None


@dataclass(frozen=True)
class Guidance:
    kind: str  # "withdrawal" | "confrontation" | "mixed" | "unclear" | "decline"
    title: str
    signs: tuple[Phrase | str, ...]  # the indicators found, in words, so the therapist sees why
    approaches: tuple[str, ...]  # one paragraph; two for "mixed"
    openers: tuple[str, ...]  # 3 to 5 tentative metacommunication openers
    process_note: str
    disclaimer: str
    note_prompt: str
    triggers: tuple[str, ...]  # codes of the current events that called for it
    session_number: int | None  # the session of the latest triggering event


def is_concern(event: EventLike) -> bool:
    """A current alert (not a note, not good news) of a rupture or decline: what the panel answers."""
    return event.current and event.severity in ALERTS and event.code in RUPTURE_CODES | DECLINE_CODES


def guidance_for(events: Iterable[EventLike], latest_answers_patient: Mapping[str, object] | None,
                 latest_answers_therapist: Mapping[str, object] | None,
                 thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Guidance | None:
    """Guidance when a rupture or decline event is current, else None.

    The answers are item id -> value mappings (`Response.answers`, `Answers.items`) of the session
    the latest triggering event belongs to; `guidance_from_history` picks them for you.
    """
    triggers = [e for e in events if is_concern(e)]
    if not triggers:
        return None
    signs = _signs(latest_answers_patient or {}, latest_answers_therapist or {}, thresholds)
    for code, (kind, text) in FLAGGED_KIND.items():
        if any(e.code == code for e in triggers):
            signs.append((kind, text))
    kinds = {kind for kind, _ in signs}
    if kinds == {"withdrawal", "confrontation"}:
        kind = "mixed"
    elif kinds:
        kind = kinds.pop()
    else:
        kind = "unclear" if any(e.code in RUPTURE_CODES for e in triggers) else "decline"
    parts = ("withdrawal", "confrontation") if kind == "mixed" else (kind,)
    latest = max(triggers, key=lambda e: e.session_number or 0)
    return Guidance(
        kind=kind,
        title=TITLES[kind],
        signs=tuple(text for _, text in signs),
        approaches=tuple(APPROACHES[p] for p in parts),
        openers=_openers(parts),
        process_note=PROCESS_NOTE,
        disclaimer=DISCLAIMER,
        note_prompt=NOTE_PROMPT,
        triggers=tuple(sorted({e.code for e in triggers})),
        session_number=latest.session_number,
    )


def guidance_from_history(events: Sequence[EventLike], history: PatientHistory,
                          thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Guidance | None:
    """`guidance_for` with the answers of the session of the latest current triggering event."""
    numbers = [e.session_number for e in events if is_concern(e) and e.session_number is not None]
    session = next((s for s in history.sessions if numbers and s.number == max(numbers)), None)
    if session is None:
        return guidance_for(events, None, None, thresholds)
    return guidance_for(events, _items(session.patient), _items(session.therapist), thresholds)


def _items(answers: Answers | None) -> Mapping[str, object] | None:
    return answers.items if answers is not None and answers.answered else None


def _signs(patient: Mapping[str, object], therapist: Mapping[str, object],
           th: Thresholds) -> list[tuple[str, Phrase | str]]:
    signs: list[tuple[str, Phrase | str]] = []
    for item, (kind, wording) in PATIENT_SIGNS.items():
        value = patient.get(item)
        if isinstance(value, int) and not isinstance(value, bool) and value >= th.indicator_min:
            signs.append((kind, phrase(N_('Patient: "%(item)s", %(value)s of 5'), item=Phrase(wording), value=value)))
    markers = therapist.get("markers")
    for marker in markers if isinstance(markers, list) else []:
        if marker in THERAPIST_SIGNS:
            kind, wording = THERAPIST_SIGNS[marker]
            signs.append((kind, phrase(N_("Your form: you noticed %(marker)s"), marker=Phrase(wording))))
    return signs


def _openers(parts: Sequence[str]) -> tuple[str, ...]:
    """Openers of each part in turn (mixed: one of each alternately), without repeats."""
    chosen: list[str] = []
    pools = [list(OPENERS[p]) for p in parts]
    while len(chosen) < MAX_OPENERS and any(pools):
        for pool in pools:
            if pool and len(chosen) < MAX_OPENERS:
                opener = pool.pop(0)
                if opener not in chosen:
                    chosen.append(opener)
    return tuple(chosen)
