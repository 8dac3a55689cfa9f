"""Ruptures the patient reports: how each one ended, whether the therapist saw it, and
whether unrepaired ones keep coming back; and the quiet withdrawal the patient does not call
a rupture but shows on the plain-language indicators."""

from collections.abc import Mapping

from dashboards.flags.events import Event
from dashboards.flags.history import Answers, SessionRecord
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline
from dashboards.flags.wording import sessions as session_list

# Patient indicator items and the rupture kind they point to (docs/clinical-model.md, "Ruptures").
INDICATORS = {"held_back": "withdrawal", "went_along": "withdrawal", "frustrated": "confrontation"}
INDICATOR_WORDS = {"held_back": "held back", "went_along": "went along",
                   "frustrated": "frustrated"}
# The withdrawal items as the patient read them (post-session-patient.yaml), for reasons.
WITHDRAWAL_ITEMS = {"held_back": "I held back something I wanted to say",
                    "went_along": "I went along with something I didn't really agree with"}


def rupture_events(t: Timeline, th: Thresholds) -> list[Event]:
    events: list[Event] = []
    answered: list[tuple[int, Answers]] = []  # (session number, patient answers) so far
    for session in t.sessions:
        patient, number = session.patient, session.number
        if patient is None or not patient.answered:
            continue
        answered.append((number, patient))
        if not reports_rupture(patient):
            quiet = _quiet_withdrawal(number, patient.items, t, th)
            if quiet is not None:
                events.append(quiet)
            continue
        events.append(_outcome_event(number, patient.items, t, th))
        if _therapist_saw_none(session):
            events.append(_missed_event(number, patient.items, t, th))
        if not unrepaired(patient, th):
            continue
        window = answered[-th.repeated_window:]
        with_rupture = [n for n, answers in window if unrepaired(answers, th)]
        if len(with_rupture) >= th.repeated_min:
            events.append(Event(
                code="repeated_ruptures", severity="high", session_number=number,
                reason=(f"The patient reported tension that was not fully talked through in "
                        f"{len(with_rupture)} of the last {len(window)} answered sessions "
                        f"(sessions {session_list(with_rupture)}); what keeps coming up may be "
                        "worth exploring together."),
                numbers={"ruptures": len(with_rupture), "window": len(window),
                         "sessions": ", ".join(map(str, with_rupture)),
                         "repaired_min": th.rupture_repaired_min},
                current=t.is_recent(number),
            ))
    return events


def reports_rupture(answers: Answers) -> bool:
    return answers.answered and answers.items.get("rupture") is True


def unrepaired(answers: Answers, th: Thresholds) -> bool:
    """A reported rupture not talked through: resolution below the repaired threshold, or not
    answered. Only these count toward repeated_ruptures: resolved ruptures go with good
    outcomes (docs/clinical-model.md), so repeated repaired ones are not a risk signal."""
    if not reports_rupture(answers):
        return False
    resolved = likert(answers.items, "rupture_resolved")
    return resolved is None or resolved < th.rupture_repaired_min


def _quiet_withdrawal(number: int, items: Mapping[str, object], t: Timeline,
                      th: Thresholds) -> Event | None:
    """No rupture reported, yet a withdrawal indicator at or above quiet_withdrawal_min.

    Withdrawal is the kind of rupture therapists miss most and patients rarely name as a
    problem (docs/clinical-model.md), so the plain-language items must catch it. Watch, not high: one
    answer is a reason to invite what went unsaid, not a finding about the patient.
    """
    raised = [(item, v) for item in WITHDRAWAL_ITEMS
              if (v := likert(items, item)) is not None and v >= th.quiet_withdrawal_min]
    if not raised:
        return None
    quoted = " and ".join(f'{v} of 5 to "{WITHDRAWAL_ITEMS[item]}"' for item, v in raised)
    # "kind" as on the rupture events, so the guidance panel can offer the withdrawal approach.
    numbers: dict[str, float | int | str] = {item: v for item, v in raised}
    numbers |= {"threshold": th.quiet_withdrawal_min, "kind": "withdrawal"}
    return Event(
        code="quiet_withdrawal", severity="watch", session_number=number,
        reason=(f"The patient did not report tension with the therapist but answered {quoted}, "
                "which can be a sign of quiet withdrawal, the kind most easily missed; it may be "
                "worth gently inviting what went unsaid."),
        numbers=numbers, current=t.is_recent(number),
    )


def likert(items: Mapping[str, object], item: str) -> int | None:
    value = items.get(item)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _outcome_event(number: int, items: Mapping[str, object], t: Timeline,
                   th: Thresholds) -> Event:
    """Exactly one of unresolved_rupture, repaired_rupture or rupture for each report."""
    tension, resolved = likert(items, "rupture_tension"), likert(items, "rupture_resolved")
    kind, signs = rupture_kind(items, th)
    numbers: dict[str, float | int | str] = {
        "tension": _number(tension), "resolved": _number(resolved), "kind": kind}
    if (tension is not None and tension >= th.rupture_tension_min
            and resolved is not None and resolved <= th.rupture_unresolved_max):
        code, severity = "unresolved_rupture", "high"
        reason = (f"The patient reported tension with the therapist (strength {tension} of 5) "
                  f"that was not resolved by the end (resolution {resolved} of 5){signs}; "
                  "it may be worth raising early in the next session.")
    elif resolved is not None and resolved >= th.rupture_repaired_min:
        code, severity = "repaired_rupture", "positive"
        reason = (f"The patient reported tension with the therapist (strength {_of5(tension)}) "
                  f"that was talked through or resolved ({resolved} of 5), the kind of repair "
                  "that tends to go with good outcomes.")
    else:
        code, severity = "rupture", "watch"
        reason = (f"The patient reported some tension with the therapist (strength "
                  f"{_of5(tension)}, resolution {_of5(resolved)}){signs}.")
    return Event(code=code, severity=severity, session_number=number, reason=reason,
                 numbers=numbers, current=t.is_recent(number))


def rupture_kind(items: Mapping[str, object], th: Thresholds) -> tuple[str, str]:
    """The kind the patient's indicator answers suggest, and a clause quoting them."""
    raised = [(item, v) for item in INDICATORS
              if (v := likert(items, item)) is not None and v >= th.indicator_min]
    if not raised:
        return "unspecified", ""
    kinds = sorted({INDICATORS[item] for item, _ in raised}, reverse=True)
    quoted = ", ".join(f"{INDICATOR_WORDS[item]} {v} of 5" for item, v in raised)
    return " and ".join(kinds), f", with signs of {' and '.join(kinds)} ({quoted})"


def _therapist_saw_none(session: SessionRecord) -> bool:
    # "Saw none" needs an answered therapist form saying no; a missing form says nothing.
    th = session.therapist
    return th is not None and th.answered and th.items.get("rupture") is False


def _missed_event(number: int, items: Mapping[str, object], t: Timeline,
                  th: Thresholds) -> Event:
    kind, _ = rupture_kind(items, th)
    hint = ("; withdrawal is the kind most easily missed, so it may be worth asking about"
            if "withdrawal" in kind else "; it may be worth asking about")
    return Event(
        code="rupture_missed", severity="watch", session_number=number,
        reason=f"The patient reported tension but the therapist's form noted none{hint}.",
        numbers={"kind": kind}, current=t.is_recent(number),
    )


def _of5(value: int | None) -> str:
    return "not answered" if value is None else f"{value} of 5"


def _number(value: int | None) -> int | str:
    return "not answered" if value is None else value
