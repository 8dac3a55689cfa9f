"""Saying to a clinician, in their language, what the cores phrased in English: a `Phrase` (built
now or read back from the database as JSON), or an English string marked with `N_`. The Jinja
global and filter `say` and the number filters are registered here (numbers and lists in the
reader's style: "3,1" and "5, 7 y 8" in Spanish)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from babel import Locale
from flask import Flask

from feedback.i18n import PAGE_SPEAKER
from feedback.phrases import Day, Listed, Localised, Num, Phrase, said, speak

SPEAKER = PAGE_SPEAKER  # the request's (or `speaking(...)`'s) language, through Flask-Babel


def say(text: Phrase | Listed | Num | Day | Localised | Mapping[str, Any] | str | None) -> str:
    """The text in the reader's language; an unknown string is shown as it is (never a key)."""
    if text is None:
        return ""
    if isinstance(text, Mapping):
        return _stored(json.dumps(text, sort_keys=True), SPEAKER.now().locale)
    if isinstance(text, str):
        return SPEAKER.gettext(text)
    return speak(text, SPEAKER.now())


@functools.lru_cache(maxsize=8192)
def _stored(message: str, locale: Locale) -> str:
    """A phrase stored as JSON (a flag's reason) said in `locale`, the current language. Cached: a
    list page says hundreds of them (the director's high-risk list) and they change only when flags
    are evaluated; the catalogs are fixed for the process, so message and locale decide the text."""
    return speak(Phrase.from_json(json.loads(message)), SPEAKER.now())


def spoken(data: Any) -> Any:
    """A figure with every phrase in it said in the reader's language: the charts build phrases, this
    edge translates them before the JSON goes out."""
    return said(data, SPEAKER.now())


def decimal(value: float | None, places: int = 1) -> str:
    return "—" if value is None else SPEAKER.number(value, places)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["say"] = say
    app.jinja_env.filters.update(say=say, decimal1=decimal)
