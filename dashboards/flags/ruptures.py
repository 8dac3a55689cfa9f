"""Ruptures the patient reports: how each one ended (unresolved, repaired, or "resolved" in a
way that may be appeasement), whether the therapist saw it, and whether unrepaired ones keep
coming back. Slight tensions are notes on the page, not alerts: everyday tension is common.
The marker items without a named rupture are in markers.py."""

from collections.abc import Mapping

from dashboards.flags.events import Event
from dashboards.flags.history import Answers, SessionRecord
from dashboards.flags.items import INDICATOR_WORDS, INDICATORS, KIND_WORDS, WITHDRAWAL_ITEMS, likert, reports_rupture
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline
from dashboards.flags.wording import listed, score_n
from feedback.phrases import Listed, Phrase, phrase
from feedback.translatable import N_


def rupture_events(t: Timeline, th: Thresholds) -> list[Event]:
    events: list[Event] = []
    answered: list[tuple[int, Answers]] = []  # (session number, patient answers) so far
    low_cutoff = getattr(t.norms.get("alliance"), "low_cutoff", None)
    for session in t.sessions:
        patient, number = session.patient, session.number
        if patient is None or not patient.answered:
            continue
        answered.append((number, patient))
        if not reports_rupture(patient):
            continue
        events.append(_outcome_event(number, patient, low_cutoff, t, th))
        missed = _missed_event(number, patient, session, t, th)
        if missed is not None:
            events.append(missed)
        if not alerting(patient, th):
            continue
        recent = answered[-th.repeated_window:]
        with_rupture = [n for n, answers in recent if alerting(answers, th)]
        if len(with_rupture) >= th.repeated_min:
            events.append(Event(
                code="repeated_ruptures", severity="high", session_number=number,
                reason=phrase(N_("The patient reported strong tension that was not talked through in %(ruptures)s "
                                 "of the last %(window)s answered sessions (sessions %(sessions)s); what keeps "
                                 "coming up may be worth exploring together."),
                              ruptures=len(with_rupture), window=len(recent), sessions=listed(with_rupture)),
                numbers={"ruptures": len(with_rupture), "window": len(recent),
                         "sessions": ", ".join(map(str, with_rupture)),
                         "tension_min": th.alert_tension_min, "repaired_min": th.rupture_repaired_min},
                current=t.is_recent(number),
            ))
    return events


def unrepaired(answers: Answers, th: Thresholds) -> bool:
    """A reported rupture not talked through: resolution below the repaired threshold, or not
    answered. Only these count toward repeated_ruptures: resolved ruptures go with good
    outcomes (docs/clinical-model.md), so repeated repaired ones are not a risk signal."""
    if not reports_rupture(answers):
        return False
    resolved = likert(answers.items, "rupture_resolved")
    return resolved is None or resolved < th.rupture_repaired_min


def alerting(answers: Answers, th: Thresholds) -> bool:
    """An unrepaired rupture strong enough to alert on: at least alert_tension_min (an
    unanswered strength counts, as it may be strong)."""
    tension = likert(answers.items, "rupture_tension")
    return unrepaired(answers, th) and (tension is None or tension >= th.alert_tension_min)


def _outcome_event(number: int, patient: Answers, low_cutoff: float | None, t: Timeline,
                   th: Thresholds) -> Event:
    """Exactly one of unresolved_rupture, appeasement, rupture or a note for each report."""
    items = patient.items
    tension, resolved = likert(items, "rupture_tension"), likert(items, "rupture_resolved")
    kind, signs = rupture_kind(items, th)
    numbers: dict[str, float | int | str] = {
        "tension": _number(tension), "resolved": _number(resolved), "kind": kind}
    current = t.is_recent(number)
    if (tension is not None and tension >= th.rupture_tension_min
            and resolved is not None and resolved <= th.rupture_unresolved_max):
        return Event(code="unresolved_rupture", severity="high", session_number=number, numbers=numbers,
                     current=current,
                     reason=phrase(N_("The patient reported tension with the therapist (strength %(tension)s of 5) "
                                      "that was not resolved by the end (resolution %(resolved)s of 5)%(signs)s; "
                                      "it may be worth raising early in the next session."),
                                   tension=tension, resolved=resolved, signs=signs))
    if resolved is not None and resolved >= th.rupture_repaired_min:
        appeased = appeasement_signs(patient, low_cutoff, th)
        if appeased:
            return Event(code="appeasement", severity="watch", session_number=number,
                         numbers=numbers | {"kind": "withdrawal", "threshold": th.marker_min},
                         current=current,
                         reason=phrase(N_("The patient reported tension (strength %(tension)s) and rated it "
                                          "resolved (%(resolved)s of 5), yet %(signs)s: withdrawal can look like "
                                          "agreement, so the repair may be on the surface; it may be worth "
                                          "gently checking how it really landed."),
                                       tension=_of5(tension), resolved=resolved, signs=appeased))
        return Event(code="repaired_rupture", severity="note", session_number=number, numbers=numbers,
                     current=current,
                     reason=phrase(N_("The patient reported tension with the therapist (strength %(tension)s) "
                                      "that was talked through or resolved (%(resolved)s of 5)."),
                                   tension=_of5(tension), resolved=resolved))
    strong = tension is None or tension >= th.alert_tension_min
    return Event(code="rupture", severity="watch" if strong else "note", session_number=number,
                 numbers=numbers, current=current,
                 reason=phrase(N_("The patient reported tension with the therapist (strength %(tension)s, "
                                  "resolution %(resolved)s)%(signs)s.") if strong else
                               N_("The patient reported slight tension with the therapist (strength %(tension)s, "
                                  "resolution %(resolved)s)%(signs)s."),
                               tension=_of5(tension), resolved=_of5(resolved), signs=signs))


def appeasement_signs(patient: Answers, low_cutoff: float | None, th: Thresholds) -> Listed | None:
    """Why a rupture rated resolved may be appeasement, or None if nothing suggests it."""
    # Going along with what one does not agree with is the appeasing kind of withdrawal.
    went_along = likert(patient.items, "went_along")
    signs = ([phrase(N_('answered %(value)s of 5 to "%(item)s"'), value=went_along,
                     item=Phrase(WITHDRAWAL_ITEMS["went_along"]))]
             if went_along is not None and went_along >= th.marker_min else [])
    alliance = patient.scores.get("alliance")
    if (low_cutoff is not None and isinstance(alliance, int | float) and not isinstance(alliance, bool)
            and alliance < low_cutoff):
        signs.append(phrase(N_("rated the overall alliance %(score)s, below the low cutoff of %(cutoff)s"),
                            score=score_n(alliance), cutoff=score_n(low_cutoff)))
    return listed(signs) if signs else None


def rupture_kind(items: Mapping[str, object], th: Thresholds) -> tuple[str, Phrase | str]:
    """The kind the patient's indicator answers suggest, and a clause quoting them ("" without)."""
    raised = [(item, v) for item in INDICATORS
              if (v := likert(items, item)) is not None and v >= th.indicator_min]
    if not raised:
        return "unspecified", ""
    kinds = sorted({INDICATORS[item] for item, _ in raised}, reverse=True)
    quoted = Listed(tuple(phrase(N_("%(item)s %(value)s of 5"), item=Phrase(INDICATOR_WORDS[item]), value=v)
                          for item, v in raised), sep=", ")
    return " and ".join(kinds), phrase(N_(", with signs of %(kinds)s (%(quoted)s)"),
                                       kinds=listed([Phrase(KIND_WORDS[k]) for k in kinds]), quoted=quoted)


def _therapist_saw_none(session: SessionRecord) -> bool:
    # "Saw none" needs an answered therapist form saying no; a missing form says nothing.
    th = session.therapist
    return th is not None and th.answered and th.items.get("rupture") is False


def _missed_event(number: int, patient: Answers, session: SessionRecord, t: Timeline,
                  th: Thresholds) -> Event | None:
    """The therapist's answered form noted no tension where the patient reported some. An alert
    for an unrepaired rupture of strong tension (alert_tension_min); a note for a slighter one; nothing
    when the patient says it was talked through (that is good news, whoever noticed it)."""
    if not _therapist_saw_none(session) or not unrepaired(patient, th):
        return None
    kind, _ = rupture_kind(patient.items, th)
    reason = (N_("The patient reported tension but the therapist's form noted none; withdrawal is the kind most "
                 "easily missed, so it may be worth asking about.") if "withdrawal" in kind else
              N_("The patient reported tension but the therapist's form noted none; it may be worth asking about."))
    return Event(
        code="rupture_missed", severity="watch" if alerting(patient, th) else "note",
        session_number=number, reason=Phrase(reason),
        numbers={"kind": kind}, current=t.is_recent(number),
    )


def _of5(value: int | None) -> Phrase:
    return Phrase(N_("not answered")) if value is None else phrase(N_("%(value)s of 5"), value=value)


def _number(value: int | None) -> int | str:
    return "not answered" if value is None else value
