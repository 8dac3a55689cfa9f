"""The therapist's home: what is new since the last visit, their own forms still to fill in, SMS
that did not reach a patient, and the caseload, highest risk first (filters by risk and status)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from dashboards.access.policy import TREATING_ROLES, patient_filter
from dashboards.audit import audit
from dashboards.caseload import caseload, pending_therapist_forms
from dashboards.therapist.blueprint import bp
from dashboards.therapist.operations import record_home_visit, since_last_visit
from feedback.delivery.staff import needs_attention
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.models import User, utcnow
from feedback.translatable import N_

#: ?risk= value -> the risk levels shown (None: all).
RISK_FILTERS: dict[str, tuple[str, ...] | None] = {
    "": None, "flagged": ("high", "watch"), "high": ("high",), "watch": ("watch",), "none": ("none",),
}
RISK_FILTER_WORDS = {"": N_("Any"), "flagged": N_("High or watch"), "high": N_("High risk"), "watch": N_("Watch"),
                     "none": N_("No flag")}
#: ?status= value -> the treatments shown (None: both).
STATUS_FILTERS: dict[str, str | None] = {"active": "active", "ended": "ended", "all": None}
STATUS_FILTER_WORDS = {"active": N_("Active"), "ended": N_("Ended"), "all": N_("Active and ended")}
DEFAULT_STATUS = "active"


@dataclass(frozen=True)
class Filters:
    risk: str = ""
    status: str = DEFAULT_STATUS

    @property
    def changed(self) -> bool:
        return self != Filters()


def parse_filters(args: Mapping[str, str]) -> tuple[Filters, str | None]:
    """The filters asked for, or the defaults and a message saying what was wrong (shown with a 400)."""
    risk, status = args.get("risk", ""), args.get("status", DEFAULT_STATUS)
    problems = []
    if risk not in RISK_FILTERS:
        problems.append(_("there is no risk level “%(value)s”", value=risk[:40]))
    if status not in STATUS_FILTERS:
        problems.append(_("there is no treatment status “%(value)s”", value=status[:40]))
    if problems:
        return Filters(), _("The filter was not applied: %(problems)s. Showing active treatments.",
                            problems=_("%(head)s and %(last)s", head=problems[0], last=problems[1])
                            if len(problems) == 2 else problems[0])
    return Filters(risk, status), None


@bp.get("/")
def home() -> ResponseReturnValue:
    now = utcnow()
    filters, error = parse_filters(request.args)
    login = getattr(g, "login_session", None)
    login_id = login.id if login is not None else None
    since = since_last_visit(current_user.id, login_id)
    rows = caseload(patient_filter(current_user, now=now), now, since,
                    risk_levels=RISK_FILTERS[filters.risk], status=STATUS_FILTERS[filters.status])
    treating = current_user.role in TREATING_ROLES
    colleagues = select(User.id, User.display_name).where(User.clinic_id == current_user.clinic_id)
    names = {row.id: row.display_name for row in db.session.execute(colleagues)}
    page = render_template(
        "dashboards/home.html",
        rows=rows,
        news=[row for row in rows if row.is_new],
        pending=pending_therapist_forms(current_user.id, now) if treating else [],
        problems=needs_attention(current_user.clinic_id, therapist_id=current_user.id, now=now) if treating else [],
        therapist_names=names,
        show_therapist=any(row.therapist_id != current_user.id for row in rows),
        filters=filters,
        filter_error=error,
        risk_filter_words=RISK_FILTER_WORDS,
        status_filter_words=STATUS_FILTER_WORDS,
        since=since,
        counts={level: sum(1 for r in rows if r.risk == level and r.status == "active") for level in ("high", "watch")},
    )
    # Written after the page is built: a pending row would be flushed by the next query and hold
    # SQLite's write lock (every other process's writes wait) until the commit.
    audit("view_caseload", detail=f"{len(rows)} patients, risk={filters.risk or 'any'}, status={filters.status}")
    record_home_visit(current_user.id, login_id, now)  # commits, with the audit row
    return page, 400 if error else 200
