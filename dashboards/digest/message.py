"""One clinician's digest e-mail: plain data, then a function from it to the message, in the words of
the language it is composed in (the caller composes it `with speaking(recipient)`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from email.message import EmailMessage

from feedback.email_message import plain_message
from feedback.i18n import gettext as _
from feedback.translatable import N_

SUBJECT = N_("New flags to look at before your next sessions")


@dataclass(frozen=True)
class Digest:
    """One clinician's e-mail, as plain data."""

    to: str
    name: str
    clinic: str
    events: tuple[tuple[int, str, str], ...]  # (event id, patient code, event name), by patient code
    language: str = "en"  # the recipient's (feedback.i18n.language_for): the names and the e-mail's words

    @property
    def event_ids(self) -> frozenset[int]:
        return frozenset(event_id for event_id, _, _ in self.events)

    @property
    def patients(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(patient code, its event names without repeats), by code."""
        names: dict[str, dict[str, None]] = defaultdict(dict)
        for _event, code, name in self.events:
            names[code][name] = None
        return tuple((code, tuple(found)) for code, found in sorted(names.items()))

    def only(self, event_ids: set[int] | frozenset[int]) -> Digest:
        return replace(self, events=tuple(e for e in self.events if e[0] in event_ids))


def compose(digest: Digest, link: str, sender: str) -> EmailMessage:
    """The e-mail: patient codes, event names, one link. Nothing else from the record."""
    lines = [_("Hello %(name)s,", name=digest.name), "",
             _("New high-risk flags for your patients since the last digest:"), ""]
    lines += [f"  - {code}: {', '.join(names)}" for code, names in digest.patients]
    lines += [
        "",
        _("The reasons, both sides' answers and suggestions for the next session are on your dashboard "
          "(sign-in required):"),
        link,
        "",
        _("This e-mail carries only patient codes and the names of the flags, never answers."),
        _("You receive it because %(clinic)s has turned on the daily digest.", clinic=digest.clinic),
    ]
    return plain_message(sender, digest.to, _(SUBJECT), lines)
