"""Template helpers of the therapist pages: times in the clinic's zone and the page's language, words
for codes (translated when read), and `say` for phrases the cores built (dashboards/speech.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from dashboards import speech
from dashboards.flags.wording import label
from dashboards.outcomes.tally import KIND_NAMES
from dashboards.therapist import wording
from dashboards.therapist.blueprint import bp
from feedback.i18n import gettext as _
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


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    return wording.percent(value)


def scale_name(scale: str) -> str:
    """"bond", "overall alliance" in the page's language (a form's scores)."""
    return _(label(scale))


@bp.record_once
def _words(state: BlueprintSetupState) -> None:
    """Words for codes, as template globals (so imported macros see them too)."""
    speech.init_app(state.app)
    state.app.jinja_env.globals.update(
        flag_label=wording.flag_label,
        stored_flag_label=wording.stored_flag_label,
        stored_event_name=wording.stored_event_name,
        stored_reason=wording.stored_reason,
        stored_main_reason=wording.stored_main_reason,
        grouped_flags=wording.grouped_flags,
        event_name=wording.event_name,
        number_words=wording.number_words,
        scale_name=scale_name,
        RISK_WORDS=wording.Spoken(wording.RISK_WORDS),
        SEVERITY_WORDS=wording.Spoken(wording.SEVERITY_WORDS),
        ATTENDANCE_WORDS=wording.Spoken(wording.ATTENDANCE_WORDS),
        END_REASON_WORDS=wording.Spoken(wording.END_REASON_WORDS),
        OUTCOME_NAMES=wording.Spoken(KIND_NAMES),
        MESSAGE_STATUS_WORDS=wording.Spoken(wording.MESSAGE_STATUS_WORDS),
    )
