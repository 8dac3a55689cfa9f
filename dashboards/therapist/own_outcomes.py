"""/outcomes: a clinician's own ended treatments in a period, as counts with 95% intervals. Only their
own (the director sees every therapist's on the clinic overview, by name); never ranked, no
national reference beside one person's few cases."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from dashboards.access import audited, roles_required
from dashboards.outcome_stats import own_outcomes, read_period
from dashboards.risk.store import local_today
from dashboards.therapist.blueprint import bp
from feedback.models import utcnow

#: Who treats patients, so has treatments of their own to look back on.
TREATING = ("therapist", "director")


@bp.get("/outcomes")
@roles_required(*TREATING)
@audited("view_own_outcomes")
def own_outcomes_page() -> ResponseReturnValue:
    today = local_today(current_user.clinic.timezone, utcnow())
    period, problems = read_period(request.args, today)
    found = None if problems else own_outcomes(current_user, period)
    return render_template("dashboards/therapist/own_outcomes.html", period=period, problems=problems,
                           outcomes=found), 422 if problems else 200
