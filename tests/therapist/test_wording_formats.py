"""The therapist pages' cached formats (dashboards/therapist/wording.py) write what Babel writes."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_percent

from dashboards.therapist import wording
from feedback.i18n import use_language


def test_a_percentage_is_written_in_the_page_language(app):
    with app.test_request_context("/"):
        use_language("es")
        assert wording.percent(0.25) == format_percent(0.25, locale=Locale.parse("es"))
        use_language("en")
        assert wording.percent(0.25) == "25%"
        assert wording.percent(None) == "—"


def test_minus_zero_is_written_as_zero_whichever_the_cache_met_first(app):
    wording._percent.cache_clear()  # -0.0 and 0.0 are one key: the first written would stand for both
    with app.test_request_context("/"):
        use_language("en")
        assert wording.percent(-0.0) == "0%"
        assert wording.percent(0.0) == "0%"
