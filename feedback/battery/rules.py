"""The session battery's rules: which outcome measures a session asks for, and what a valid
battery is. Pure: no app, no database (the callers bring the dates).

A battery is a list of entries, each an outcome measure and how often it is asked:

- ``session``: at every session;
- ``nth``: at every n-th session of the treatment, counting from the first (1, 1+n, 1+2n, ...);
- ``intake_and_weeks``: at the first session, then at the first session at least ``weeks`` weeks
  after the measure was last answered. A measure never answered yet (an intake form left
  unanswered, or a battery set mid-treatment) is asked at the next session: a treatment needs a
  first score before any change can be read.

Sessions are counted among the treatment's *attended* sessions (only they have forms), so a
cancellation or a missed session neither shifts the schedule nor skips the intake.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from feedback.phrases import Listed, Phrase, phrase
from feedback.text_hygiene import whole_number
from feedback.translatable import N_

EVERY = {  # marked for the clinicians' battery page, which translates them
    "session": N_("every session"),
    "nth": N_("every n-th session"),
    "intake_and_weeks": N_("at intake, then every few weeks"),
}
DEFAULT_N, DEFAULT_WEEKS = 2, 4
LARGEST_N, LARGEST_WEEKS = 52, 52  # a year of weekly sessions: anything rarer is a typing error


class BatteryError(ValueError):
    """A battery that cannot be stored; `problems` name each entry's fault, as phrases the edge says
    in its reader's language (str() of each is the English)."""

    def __init__(self, problems: Sequence[Phrase]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(map(str, self.problems)))


class _EntryFault(ValueError):
    """What is wrong with one entry, as a phrase."""

    def __init__(self, problem: Phrase) -> None:
        self.problem = problem
        super().__init__(str(problem))


@dataclass(frozen=True)
class Entry:
    instrument: str
    every: str
    n: int = DEFAULT_N
    weeks: int = DEFAULT_WEEKS

    def as_json(self) -> dict[str, Any]:
        return {"instrument": self.instrument, "every": self.every, "n": self.n, "weeks": self.weeks}

    def describe(self) -> str:
        if self.every == "nth":
            return "every session" if self.n == 1 else f"every {_ordinal(self.n)} session (1, {1 + self.n}, …)"
        if self.every == "intake_and_weeks":
            return f"at intake, then every {self.weeks} week{'s' if self.weeks != 1 else ''}"
        return "every session"


def is_due(entry: Entry, *, session: int, on: date, last_answered: date | None) -> bool:
    """Whether `entry`'s measure is asked at the treatment's `session`-th attended session, held
    `on`, given when (the date of the session) it was last answered before this session."""
    if entry.every == "session":
        return True
    if entry.every == "nth":
        return (session - 1) % entry.n == 0
    if session == 1 or last_answered is None:
        return True
    return (on - last_answered).days >= 7 * entry.weeks


def due(entries: Sequence[Entry], *, session: int, on: date, last_answered: Mapping[str, date]) -> list[str]:
    """The measures due at this session, in the battery's order."""
    return [e.instrument for e in entries
            if is_due(e, session=session, on=on, last_answered=last_answered.get(e.instrument))]


def parse_battery(raw: object, outcome_measures: Collection[str]) -> list[Entry]:
    """A stored or submitted battery checked entry by entry; BatteryError names every problem.

    `outcome_measures` are the ids of the outcome measures the app knows (instrument files with
    `purpose: outcome`, answered by the patient)."""
    if not isinstance(raw, list):
        raise BatteryError([phrase(N_("a battery is a list of entries"))])
    entries, problems = [], []
    for position, item in enumerate(raw, start=1):
        try:
            entry = _entry(item, outcome_measures)
        except _EntryFault as exc:
            problems.append(phrase(N_("entry %(position)s: %(problem)s"), position=position, problem=exc.problem))
            continue
        if any(e.instrument == entry.instrument for e in entries):
            problems.append(phrase(N_("entry %(position)s: %(measure)s is already in the battery; list each measure "
                                      "once"), position=position, measure=entry.instrument))
            continue
        entries.append(entry)
    if problems:
        raise BatteryError(problems)
    return entries


def usable_entries(raw: object, outcome_measures: Collection[str]) -> list[Entry]:
    """The entries of a stored battery that can be asked now, for the survey: one whose measure
    is no longer installed (its instrument file removed) is left out rather than stop the form."""
    entries: list[Entry] = []
    for item in raw if isinstance(raw, list) else ():
        try:
            entry = _entry(item, outcome_measures)
        except ValueError:
            continue
        if all(e.instrument != entry.instrument for e in entries):
            entries.append(entry)
    return entries


def _entry(item: object, outcome_measures: Collection[str]) -> Entry:
    if not isinstance(item, Mapping):
        raise _EntryFault(phrase(N_("is not an entry with an instrument and how often it is asked")))
    instrument = item.get("instrument")
    if instrument not in outcome_measures:
        known = Listed(tuple(sorted(outcome_measures)), sep=", ") if outcome_measures else phrase(N_("none installed"))
        raise _EntryFault(phrase(N_("%(measure)s is not an outcome measure this app knows (%(known)s)"),
                                 measure=repr(instrument), known=known))
    every = item.get("every")
    if every not in EVERY:
        raise _EntryFault(phrase(N_("how often must be one of %(choices)s, not %(given)s"),
                                 choices=Listed(tuple(EVERY), sep=", "), given=repr(every)))
    n = _count(item, "n", DEFAULT_N, LARGEST_N, phrase(N_("n (every n-th session)")), required=every == "nth")
    weeks = _count(item, "weeks", DEFAULT_WEEKS, LARGEST_WEEKS, phrase(N_("the number of weeks")),
                   required=every == "intake_and_weeks")
    return Entry(str(instrument), every, n, weeks)


def _count(item: Mapping[str, Any], key: str, default: int, largest: int, name: Phrase, *, required: bool) -> int:
    """A whole number from 1 to `largest`; the default when absent and this rule does not use it."""
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise _EntryFault(phrase(N_("%(name)s is missing"), name=name))
        return default
    if isinstance(value, bool):
        value = None  # JSON true is not a number
    elif isinstance(value, str):
        try:
            value = whole_number(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, int) or not 1 <= value <= largest:
        if not required:
            return default  # not used by this rule: never a reason to refuse the battery
        raise _EntryFault(phrase(N_("%(name)s must be a whole number from 1 to %(largest)s"), name=name,
                                 largest=largest))
    return value


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
