"""Template helpers of the therapist pages: times in the clinic's zone, words for codes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from dashboards.charts import dates
from dashboards.outcomes.tally import KIND_NAMES
from dashboards.therapist import wording
from dashboards.therapist.blueprint import bp
from feedback.models import utcnow


def viewer_zone() -> ZoneInfo:
    """The signed-in clinician's clinic zone: every time on these pages is shown in it."""
    return ZoneInfo(current_user.clinic.timezone)


@bp.app_template_filter("clinic_time")
def clinic_time(moment: datetime | None, with_time: bool = True) -> str:
    return wording.clinic_time(moment, viewer_zone(), with_time=with_time)


@bp.app_template_filter("send_time")
def send_time(moment: datetime) -> str:
    """When an SMS goes, relative to now: "tomorrow at 08:00"."""
    return wording.send_time(moment, utcnow(), viewer_zone())


@bp.app_template_filter("long_date")
def long_date(day: date) -> str:
    return dates.long_date(day)


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    return wording.percent(value)


@bp.record_once
def _words(state: BlueprintSetupState) -> None:
    """Words for codes, as template globals (so imported macros see them too)."""
    state.app.jinja_env.globals.update(
        flag_label=wording.flag_label,
        stored_flag_label=wording.stored_flag_label,
        stored_event_name=wording.stored_event_name,
        grouped_flags=wording.grouped_flags,
        event_name=wording.event_name,
        number_words=wording.number_words,
        RISK_WORDS=wording.RISK_WORDS,
        SEVERITY_WORDS=wording.SEVERITY_WORDS,
        ATTENDANCE_WORDS=wording.ATTENDANCE_WORDS,
        END_REASON_WORDS=wording.END_REASON_WORDS,
        OUTCOME_NAMES=KIND_NAMES,
    )
