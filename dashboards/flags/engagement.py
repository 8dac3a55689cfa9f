"""Disengagement: withdrawal shows in behaviour too (unanswered questionnaires, missed
sessions, long gaps). The only flag that missing data may raise by itself. Sessions the clinic
cancelled are not the patient's doing and never count."""

from dataclasses import dataclass

from dashboards.flags.events import Event
from dashboards.flags.history import SessionRecord
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline, runs
from dashboards.flags.wording import listed, short_n
from feedback.phrases import Day, Num, Phrase, phrase
from feedback.translatable import N_

MISSED = ("cancelled", "no_show")  # by the patient; "clinic_cancelled" is not missed


@dataclass(frozen=True)
class Finding:
    session_number: int | None
    subject: str  # "unanswered" | "missed" | "gap"
    reason: Phrase  # without its full stop, so escalation can extend it
    current: bool
    numbers: dict[str, float | int | str]


def disengagement_events(t: Timeline, th: Thresholds, escalate: bool) -> list[Event]:
    """`escalate`: a high rupture or decline event is current, which makes current
    disengagement high instead of watch."""
    # Sessions after a planned end say nothing about disengagement.
    sessions = [s for s in t.sessions if t.ended_on is None or s.date <= t.ended_on]
    found = [*_unanswered(sessions, t, th), *_missed(sessions, t, th), *_gaps(sessions, t, th)]
    return [_event(f, escalate and f.current) for f in found]


def _event(f: Finding, high: bool) -> Event:
    return Event(code="disengagement", severity="high" if high else "watch",
                 session_number=f.session_number, subject=f.subject, current=f.current,
                 numbers=f.numbers,
                 reason=phrase(N_("%(finding)s; together with an unresolved or repeated rupture or a decline, this "
                                  "is worth a prompt look.") if high else N_("%(finding)s."), finding=f.reason))


def _unanswered(sessions: list[SessionRecord], t: Timeline, th: Thresholds) -> list[Finding]:
    invited = [s for s in sessions if s.patient is not None]
    found = []
    for run in runs(invited, lambda s: s.patient is not None and not s.patient.answered):
        if len(run) < th.unanswered_run:
            continue
        ongoing = run[-1] is invited[-1] and not t.ended
        found.append(Finding(
            run[th.unanswered_run - 1].number, "unanswered",
            phrase(N_("The patient left %(count)s questionnaires in a row unanswered (sessions %(first)s to "
                      "%(last)s, so far)") if ongoing else
                   N_("The patient left %(count)s questionnaires in a row unanswered (sessions %(first)s to "
                      "%(last)s)"), count=len(run), first=run[0].number, last=run[-1].number),
            ongoing,
            {"unanswered": len(run), "first_session": run[0].number,
             "last_session": run[-1].number, "threshold": th.unanswered_run},
        ))
    return found


def _missed(sessions: list[SessionRecord], t: Timeline, th: Thresholds) -> list[Finding]:
    # The clinic's own cancellations are left out of the window as if never scheduled.
    sessions = [s for s in sessions if s.attendance != "clinic_cancelled"]

    def missed_up_to(i: int) -> list[int]:
        window = sessions[max(0, i + 1 - th.missed_window):i + 1]
        return [s.number for s in window if s.attendance in MISSED]

    found = []
    for run in runs(range(len(sessions)), lambda i: len(missed_up_to(i)) >= th.missed_min):
        missed, window = missed_up_to(run[0]), min(th.missed_window, run[0] + 1)
        found.append(Finding(
            sessions[run[0]].number, "missed",
            phrase(N_("%(missed)s of the last %(window)s scheduled sessions were missed or cancelled "
                      "(sessions %(sessions)s)"), missed=len(missed), window=window, sessions=listed(missed)),
            run[-1] == len(sessions) - 1 and not t.ended,
            {"missed": len(missed), "window": window, "sessions": ", ".join(map(str, missed)),
             "threshold": th.missed_min},
        ))
    return found


def _gaps(sessions: list[SessionRecord], t: Timeline, th: Thresholds) -> list[Finding]:
    """Past gaps between attended sessions (history) and the gap up to as_of (current). A session
    the clinic cancelled counts as contact: the pause was the clinic's (holidays, illness)."""
    limit = th.gap_weeks * 7
    attended = [s for s in sessions if s.attendance in ("attended", "clinic_cancelled")]
    found = []
    for before, after in zip(attended, attended[1:], strict=False):
        days = (after.date - before.date).days
        if days > limit:
            found.append(_gap(before, days, th, False, phrase(
                N_("There was no session for %(weeks)s weeks between session %(first)s on %(day)s and session "
                   "%(last)s"), weeks=Num(days / 7, 1), first=before.number, day=Day(before.date),
                last=after.number)))
    if sessions and not t.ended:
        since = attended[-1] if attended else sessions[0]
        days = (t.as_of - since.date).days
        if days > limit:
            start = (phrase(N_("since session %(number)s on %(day)s"), number=since.number, day=Day(since.date))
                     if attended else phrase(N_("since the first one was scheduled for %(day)s"), day=Day(since.date)))
            found.append(_gap(since, days, th, True, phrase(
                N_("No session has taken place for %(weeks)s weeks, %(since)s, and no planned end is recorded"),
                weeks=Num(days / 7, 1), since=start), anchored=bool(attended)))
    return found


def _gap(since: SessionRecord, days: int, th: Thresholds, current: bool, text: Phrase,
         anchored: bool = True) -> Finding:
    return Finding(
        since.number if anchored else None, "gap",
        phrase(N_("%(gap)s (more than %(weeks)s weeks)"), gap=text, weeks=short_n(th.gap_weeks)), current,
        {"weeks": round(days / 7, 1), "days": days, "since_session": since.number,
         "threshold_weeks": th.gap_weeks},
    )
