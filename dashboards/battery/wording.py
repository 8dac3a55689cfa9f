"""A battery in words for the battery pages, in the page's language ("phq-9 every 2nd session
(1, 3, …)", "phq-9 cada 2 sesiones (1, 3, …)"). The audit trail keeps `operations.describe`, in English."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import ngettext

from feedback.battery.rules import Entry
from feedback.i18n import gettext as _


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def schedule(entry: Entry) -> str:
    if entry.every == "nth" and entry.n != 1:
        # English says "every 3rd session"; a translation may use `n` ("cada 3 sesiones") instead of `nth`.
        return _("every %(nth)s session (1, %(next)s, …)", nth=_ordinal(entry.n), n=entry.n, next=1 + entry.n)
    if entry.every == "intake_and_weeks":
        return ngettext("at intake, then every %(num)s week", "at intake, then every %(num)s weeks", entry.weeks)
    return _("every session")


def described(entries: Sequence[Entry]) -> str:
    return "; ".join(f"{e.instrument} {schedule(e)}" for e in entries) or _("no outcome measures")
