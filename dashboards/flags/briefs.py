"""One short line per event for lists (the caseload, the patient's header, the director's view).

The full reason stays the explanation; a brief is written to fit one line on a phone (about 60
characters), so lists shorten by design instead of cutting a sentence mid-word. Built from the
event's stored code, subject, session and numbers, so it works for events stored before it existed.
"""

from collections.abc import Callable, Mapping
from typing import Any

from dashboards.flags.wording import label
from feedback.phrases import Num, Phrase, phrase
from feedback.translatable import N_

Numbers = Mapping[str, Any]
Brief = Phrase | str
#: A scale as the first word of a brief: "Alliance", "Bond" (the badge beside it says which flag it is).
SCALE_WORDS = {"alliance": N_("Alliance"), "bond": N_("Bond"), "task": N_("Task agreement"),
               "goal": N_("Goal agreement")}


def _scale(subject: str | None) -> Phrase:
    """"Alliance", "Bond": the badge beside the line already says which flag it is."""
    key = subject or "alliance"
    return Phrase(SCALE_WORDS[key]) if key in SCALE_WORDS else Phrase(label(key), capital=True)


def _of5(value: Any) -> Phrase:
    return phrase(N_("%(value)s of 5"), value=value) if isinstance(value, int) else Phrase(N_("not rated"))


def _score(x: Any) -> Num:
    return Num(x, 1)


def _span(sessions: Any) -> Phrase | str:
    """"7, 8, 9" -> "sessions 7–9"; one session -> "session 7"."""
    numbers = [part.strip() for part in str(sessions or "").split(",") if part.strip()]
    if not numbers:
        return ""
    if len(numbers) == 1:
        return phrase(N_("session %(number)s"), number=numbers[0])
    return phrase(N_("sessions %(first)s–%(last)s"), first=numbers[0], last=numbers[-1])


def _decline(subject: str | None, at: int | None, n: Numbers) -> Brief:
    if "recovered_session" in n:
        return phrase(N_("%(scale)s %(mean)s, usual %(usual)s (%(span)s); since recovered"), scale=_scale(subject),
                      mean=_score(n["mean"]), usual=_score(n["baseline"]), span=_span(n.get("sessions")))
    return phrase(N_("%(scale)s %(mean)s, usual %(usual)s (%(span)s)"), scale=_scale(subject),
                  mean=_score(n["mean"]), usual=_score(n["baseline"]), span=_span(n.get("sessions")))


def _disengagement(subject: str | None, at: int | None, n: Numbers) -> Brief:
    if subject == "unanswered":
        return phrase(N_("%(count)s questionnaires in a row unanswered"), count=n["unanswered"])
    if subject == "missed":
        return phrase(N_("%(missed)s of the last %(window)s sessions missed or cancelled"), missed=n["missed"],
                      window=n["window"])
    return phrase(N_("No session for %(weeks)s weeks"), weeks=Num(float(n["weeks"])))


def _marker(kind: str) -> Callable[[str | None, int | None, Numbers], Brief]:
    words = (N_("Signs of unspoken withdrawal (%(where)s)") if kind == "withdrawal" else
             N_("Signs of unspoken frustration (%(where)s)"))

    def line(subject: str | None, at: int | None, n: Numbers) -> Brief:
        where = _span(n.get("sessions")) or phrase(N_("session %(number)s"), number=at)
        return phrase(words, where=where)
    return line


def _total(x: Any) -> Num:
    return Num(x)


def _outcome(n: Numbers) -> Brief:
    """"PHQ-9 9 → 16 since session 1"."""
    return phrase(N_("%(measure)s %(first)s → %(latest)s since session %(session)s"), measure=n["measure"],
                  first=_total(n["first"]), latest=_total(n["latest"]), session=n["first_session"])


BRIEFS: dict[str, Callable[[str | None, int | None, Numbers], Brief]] = {
    "unresolved_rupture": lambda s, at, n: phrase(N_("Tension %(tension)s, unresolved (%(resolved)s)"),
                                                  tension=_of5(n.get("tension")), resolved=_of5(n.get("resolved"))),
    "repeated_ruptures": lambda s, at, n: phrase(N_("Unrepaired tension in %(ruptures)s of the last %(window)s "
                                                    "sessions"), ruptures=n["ruptures"], window=n["window"]),
    "appeasement": lambda s, at, n: Phrase(N_("Tension rated resolved, but with signs of withdrawal")),
    "rupture": lambda s, at, n: phrase(N_("Tension %(tension)s, resolution %(resolved)s"),
                                       tension=_of5(n.get("tension")), resolved=_of5(n.get("resolved"))),
    "repaired_rupture": lambda s, at, n: phrase(N_("Tension talked through (%(resolved)s)"),
                                                resolved=_of5(n.get("resolved"))),
    "rupture_missed": lambda s, at, n: Phrase(N_("Patient reported tension; the therapist's form noted none")),
    "reliable_decline": _decline,
    "sudden_drop": lambda s, at, n: phrase(N_("%(scale)s fell to %(score)s, usual %(usual)s"), scale=_scale(s),
                                           score=_score(n["score"]), usual=_score(n["baseline"])),
    "downward_trend": lambda s, at, n: phrase(N_("%(scale)s a little below its usual %(usual)s"), scale=_scale(s),
                                              usual=_score(n["baseline"])),
    "low_alliance": lambda s, at, n: (phrase(N_("Alliance %(score)s, below the low cutoff, %(count)s in a row"),
                                             score=_score(n["score"]), count=n["in_a_row"])
                                      if n.get("in_a_row", 1) > 1 else
                                      phrase(N_("Alliance %(score)s, below the low cutoff"), score=_score(n["score"]))),
    "disengagement": _disengagement,
    "quiet_withdrawal": _marker("withdrawal"),
    "unnamed_confrontation": _marker("frustration"),
    "rupture_repair_episode": lambda s, at, n: phrase(N_("%(scale)s dipped with a rupture, back by session "
                                                         "%(session)s"), scale=_scale(s), session=n["return_session"]),
    "reliable_deterioration": lambda s, at, n: _outcome(n),
    "no_reliable_improvement": lambda s, at, n: phrase(N_("%(measure)s still %(latest)s after %(sessions)s sessions "
                                                          "(was %(first)s)"), measure=n["measure"],
                                                       latest=_total(n["latest"]), sessions=n["sessions"],
                                                       first=_total(n["first"])),
    "reliable_improvement": lambda s, at, n: _outcome(n),
    "recovery": lambda s, at, n: phrase(N_("Out of the clinical range: %(measure)s %(latest)s, was %(first)s"),
                                        measure=n["measure"], latest=_total(n["latest"]), first=_total(n["first"])),
}


def brief(code: str, subject: str | None, session_number: int | None, numbers: Numbers, reason: str = "") -> Brief:
    """The event in one short line (a phrase, translated where it is shown); the session it belongs to
    is added by the caller's layout.

    Falls back to the reason's first clause for an event this module does not know (or whose
    stored numbers predate a key it needs), so a list never shows nothing."""
    make = BRIEFS.get(code)
    if make is not None:
        try:
            line = make(subject, session_number, numbers)
            str(line)  # a missing or malformed number shows here, not on the page
            return line
        except (KeyError, TypeError, ValueError):
            pass
    return reason.split(";")[0].split(":")[0].rstrip(".")
