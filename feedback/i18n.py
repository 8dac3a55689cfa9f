"""Which language a page, an SMS or an e-mail is in, and the Babel set-up behind `_()`.

Two message catalogs (domains) are merged at run time: `patient` (feedback/translations: the
questionnaire pages, their messages, SMS and e-mail texts, error pages) and `clinician`
(dashboards/translations: everything signed-in staff read). The split keeps the promise that
everything a patient sees is translated checkable on its own (tests/i18n).

A page's language is chosen in this order: the one a view named for this request (a patient's
own language on the survey), the signed-in clinician's setting, their clinic's default, English.
A string missing from a catalog falls back to its English source, never to a key.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations, refresh
from flask_login import current_user

from feedback.extensions import babel
from feedback.phrases import Phrase, render

DEFAULT_LANGUAGE = "en"
#: Languages with catalogs that ship; a language listed here must be complete (tests/i18n).
LANGUAGES = ("en", "es")
_HERE = os.path.dirname(__file__)
DOMAINS = {
    "patient": os.path.join(_HERE, "translations"),
    "clinician": os.path.join(os.path.dirname(_HERE), "dashboards", "translations"),
}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(DOMAINS.values()))
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_language)
    # Flask-Babel's own template callables find its per-request state three times a word, and a
    # caseload page says some 500 words (cProfile: a fifth of the therapist home's time).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters.update(long_date=long_date, short_datetime=short_datetime, clock_time=clock_time,
                                  exact_datetime=exact_datetime, year_month=year_month)
    app.context_processor(lambda: {"page_language": page_language(), "page_direction": page_direction()})


def supported(code: str | None) -> str | None:
    """The shipped language for a code such as "es" or "es-MX", or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    extra = current_app.config.get("EXTRA_LANGUAGES", ())  # e.g. a pseudo-locale in tests
    return base if base in LANGUAGES or base in extra else None


def shipped_languages() -> tuple[str, ...]:
    """The languages a person may choose: the shipped ones (and a test's extra ones)."""
    return (*LANGUAGES, *current_app.config.get("EXTRA_LANGUAGES", ()))


def catalog() -> Any:
    """The current language's message catalog (the request's, or `force_locale`'s): what
    Flask-Babel's `get_translations()` gives, in one look-up once a page has asked for it. Kept in
    Flask-Babel's per-request namespace beside the locale it was read for: `force_locale`,
    `refresh()` and `use_language` put another locale object there, and the next word reads afresh."""
    try:
        state = g._flask_babel
    except (AttributeError, RuntimeError):  # no app context, or nothing asked Flask-Babel yet
        return get_translations()
    kept = getattr(state, "page_catalog", None)
    if kept is not None and kept[0] is getattr(state, "babel_locale", None):
        return kept[1]
    translations = get_translations()  # chooses the page's locale first if none is yet
    state.page_catalog = (getattr(state, "babel_locale", None), translations)
    return translations


def current_locale() -> Locale:
    """The current language's locale, as `get_locale()` (English outside a request)."""
    state = getattr(g, "_flask_babel", None) if has_app_context() else None
    return getattr(state, "babel_locale", None) or get_locale() or Locale.parse(DEFAULT_LANGUAGE)


def gettext(msgid: str, **variables: Any) -> str:
    """Flask-Babel's `gettext` (the same catalog, the English source where it lacks a string),
    through `catalog()`."""
    text = catalog().ugettext(msgid)
    return text % variables if variables else text


class Voice:
    """One language, resolved once: a long list of phrases (a director's 450 reasons) is said
    without asking Flask-Babel for the locale and catalog at every word and number."""

    __slots__ = ("locale", "translations")

    def __init__(self, locale: Locale, translations: Any) -> None:
        self.locale, self.translations = locale, translations

    def gettext(self, msgid: str) -> str:
        return self.translations.gettext(msgid) if msgid else ""  # "" would be the catalog's header

    def number(self, value: float, places: int | None) -> str:
        return _number(value, places, self.locale)

    def language(self) -> str:
        return str(self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.locale)


@functools.lru_cache(maxsize=8192)
def _number(value: float, places: int | None, locale: Locale) -> str:
    # Cached: Babel parses the pattern and looks up the locale's symbols on every call, and a
    # page's numbers repeat (scores to one decimal, counts).
    pattern = "#,##0.###" if places is None else "0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=locale).replace("-", "−")


class PageSpeaker:
    """The current language (the request's, or `speaking(...)`'s) for `feedback.phrases`."""

    def now(self) -> Voice:
        """The current language, fixed for a phrase or a list of them."""
        return Voice(current_locale(), catalog())

    def gettext(self, msgid: str) -> str:
        return self.now().gettext(msgid)

    def number(self, value: float, places: int | None) -> str:
        return self.now().number(value, places)

    def language(self) -> str:
        return self.now().language()

    def day(self, value: date) -> str:
        return self.now().day(value)


PAGE_SPEAKER = PageSpeaker()


def offered_languages() -> list[tuple[str, str]]:
    """The languages a person may choose, as (code, the language's own name) pairs."""
    return [(code, language_name(code)) for code in shipped_languages()]


def translated(text: Phrase | str) -> str:
    """What a pure core phrased (`feedback.phrases.Phrase`, or a string marked with N_) in the
    current language, its placeholders filled in; English where the catalog lacks a string."""
    return render(text, PAGE_SPEAKER.now())


def translated_in(language: str, text: Phrase | str) -> str:
    """`translated` in another language than the page's (a patient's, on a clinician's page)."""
    with force_locale(language):
        return translated(text)


def select_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    named = getattr(g, "language", None)
    if named:
        return named
    if getattr(current_user, "is_authenticated", False):
        own = supported(getattr(current_user, "language", None))
        if own:
            return own
        clinic = getattr(current_user, "clinic", None)
        return supported(getattr(clinic, "language", None)) or DEFAULT_LANGUAGE
    return browser_language() or DEFAULT_LANGUAGE  # nobody known yet: the sign-in page, say


def use_language(code: str | None, clinic: Any = None) -> str:
    """Make this request's pages speak `code` (else the clinic's default, else English)."""
    chosen = supported(code) or supported(getattr(clinic, "language", None)) or DEFAULT_LANGUAGE
    g.language = chosen
    refresh()  # Babel caches the locale per request
    return chosen


def browser_language() -> str | None:
    """The browser's preferred language among those that ship, if any, in the browser's order of
    preference; a regional tag counts for its language. ("es-MX, en;q=0.5" is Spanish: Werkzeug's
    best_match takes an exact match of a less preferred tag, "en", before a regional one.)"""
    shipped = {code.lower(): code for code in shipped_languages()}
    for tag, quality in request.accept_languages:  # most preferred first
        tag = tag.lower().replace("_", "-")
        found = shipped.get(tag) or shipped.get(tag.split("-")[0])
        if quality > 0 and found:
            return found
    return None


def use_browser_language() -> str:
    """For a page to someone not known (a broken link): the browser's preferred language, if it ships."""
    return use_language(browser_language())


def language_for(person: Any) -> str:
    """The language to write to a patient or clinician in, outside a page (SMS, e-mail)."""
    clinic = getattr(person, "clinic", None)
    return supported(getattr(person, "language", None)) or supported(getattr(clinic, "language", None)) or (
        DEFAULT_LANGUAGE
    )


@contextmanager
def speaking(person: Any) -> Iterator[str]:
    """`with speaking(patient):` — gettext and formats in that person's language (workers, mail)."""
    language = language_for(person)
    with force_locale(language):
        yield language


def page_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def page_direction() -> str:
    locale = get_locale()
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


@functools.lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """A language's own name for itself ("Español"), for pickers (cached: the survey page names
    every language on each request, and Babel takes some 40 µs a name)."""
    return Locale.parse(code).get_display_name(code).capitalize()


# Dates are shown in the zone they carry (the caller converts to the clinic's zone) and in the
# page's language; Babel knows each language's order and month names.
def long_date(value: date | datetime) -> str:
    return format_date(value, format="long", locale=current_locale())


def weekday_date(value: date | datetime) -> str:
    """The day of a session in full: "Thursday, December 3, 2026", "jueves, 3 de diciembre de 2026"."""
    return format_date(value, format="full", locale=current_locale())


def short_datetime(value: datetime) -> str:
    return format_datetime(value, format="short", tzinfo=value.tzinfo, locale=current_locale())


def exact_datetime(value: datetime) -> str:
    """To the second, for the audit trail: "Mar 2, 2026, 10:15:00 AM", "2 mar 2026, 10:15:00"."""
    return format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=current_locale())


def year_month(value: str) -> str:
    """A month written YYYY-MM as the reader says it: "Oct 2026", "oct 2026"."""
    return format_skeleton("yMMM", date.fromisoformat(f"{value}-01"), locale=current_locale())


def clock_time(value: datetime) -> str:
    return format_time(value, format="short", tzinfo=value.tzinfo, locale=current_locale())
