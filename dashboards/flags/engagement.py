"""Disengagement: withdrawal shows in behaviour too (unanswered questionnaires, missed
sessions, long gaps). The only flag that missing data may raise by itself. Sessions the clinic
cancelled are not the patient's doing and never count."""

from dataclasses import dataclass

from dashboards.flags.events import Event
from dashboards.flags.history import SessionRecord
from dashboards.flags.thresholds import Thresholds
from dashboards.flags.timeline import Timeline, runs
from dashboards.flags.wording import sessions as session_list

MISSED = ("cancelled", "no_show")  # by the patient; "clinic_cancelled" is not missed
ESCALATED = "; together with an unresolved or repeated rupture or a decline, this is worth a prompt look"


@dataclass(frozen=True)
class Finding:
    session_number: int | None
    subject: str  # "unanswered" | "missed" | "gap"
    reason: str  # without its full stop, so escalation can extend it
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
                 numbers=f.numbers, reason=f.reason + (ESCALATED if high else "") + ".")


def _unanswered(sessions: list[SessionRecord], t: Timeline, th: Thresholds) -> list[Finding]:
    invited = [s for s in sessions if s.patient is not None]
    found = []
    for run in runs(invited, lambda s: s.patient is not None and not s.patient.answered):
        if len(run) < th.unanswered_run:
            continue
        ongoing = run[-1] is invited[-1] and not t.ended
        found.append(Finding(
            run[th.unanswered_run - 1].number, "unanswered",
            f"The patient left {len(run)} questionnaires in a row unanswered "
            f"(sessions {run[0].number} to {run[-1].number}{', so far' if ongoing else ''})",
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
            f"{len(missed)} of the last {window} scheduled sessions were missed or cancelled "
            f"(sessions {session_list(missed)})",
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
            found.append(_gap(before, days, th, False, (
                f"There was no session for {days / 7:.1f} weeks between session "
                f"{before.number} on {before.date.isoformat()} and session {after.number}")))
    if sessions and not t.ended:
        since = attended[-1] if attended else sessions[0]
        days = (t.as_of - since.date).days
        if days > limit:
            start = (f"since session {since.number} on {since.date.isoformat()}" if attended
                     else f"since the first one was scheduled for {since.date.isoformat()}")
            found.append(_gap(since, days, th, True, (
                f"No session has taken place for {days / 7:.1f} weeks, {start}, "
                "and no planned end is recorded"), anchored=bool(attended)))
    return found


def _gap(since: SessionRecord, days: int, th: Thresholds, current: bool, text: str,
         anchored: bool = True) -> Finding:
    return Finding(
        since.number if anchored else None, "gap",
        f"{text} (more than {th.gap_weeks:g} weeks)", current,
        {"weeks": round(days / 7, 1), "days": days, "since_session": since.number,
         "threshold_weeks": th.gap_weeks},
    )
