"""Sentences made now and translated when they are shown: a message id with its parameters.

The pure cores (the flag engine, guidance, charts) cannot call Flask-Babel, and some of what they
say is stored (a flag's reason) and read later by someone in another language. So they build a
`Phrase`: an English msgid marked with `N_` and the values for its `%(name)s` placeholders, which
may be numbers (`Num`, written in the reader's decimal style), lists (`Listed`: "5, 7 and 8") or
other phrases (a clause, a scale's name). `str(phrase)` is the English sentence (exports, logs);
an edge that knows the reader's language renders it with its own gettext (dashboards/speech.py).
A phrase survives the database as plain JSON (`to_json`, `from_json`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from feedback.translatable import N_


@dataclass(frozen=True)
class Num:
    """A number to write in the reader's style: `places` decimals, or as short as it goes (None)."""

    value: float
    places: int | None = None


@dataclass(frozen=True)
class Day:
    """A calendar date to write in the reader's style ("5 Feb 2024", "5 feb 2024")."""

    value: datetime.date


@dataclass(frozen=True)
class Localised:
    """A text written per language in a data file (an instrument's band name): the reader's, else English,
    else the first there is."""

    texts: tuple[tuple[str, str], ...]  # (language, text)

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> Localised:
        return cls(tuple(texts.items()))

    def pick(self, language: str) -> str:
        found = dict(self.texts)
        return found.get(language) or found.get("en") or next(iter(found.values()), "")


@dataclass(frozen=True)
class Listed:
    """Items read as a list: "5", "5 and 7", "5, 7 and 8"; or joined by `sep` ("5; 7; 8")."""

    items: tuple[Any, ...]
    sep: str | None = None


@dataclass(frozen=True)
class Phrase:
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    capital: bool = False  # starts a sentence: the first letter of the rendered text is made upper case

    def __str__(self) -> str:
        return render(self, ENGLISH)

    def capitalised(self) -> Phrase:
        return Phrase(self.msgid, self.params, capital=True)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.msgid, "p": {k: _encode(v) for k, v in self.params.items()}}
        if self.capital:
            data["cap"] = True
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        return cls(str(data["id"]), {k: _decode(v) for k, v in (data.get("p") or {}).items()},
                   capital=bool(data.get("cap")))


def phrase(msgid: str, **params: Any) -> Phrase:
    return Phrase(msgid, params)


class Speaker(Protocol):
    """One reader's language: how to translate a msgid and write a number."""

    def gettext(self, msgid: str) -> str: ...
    def number(self, value: float, places: int | None) -> str: ...
    def day(self, value: datetime.date) -> str: ...
    def language(self) -> str: ...


def render(text: Phrase | str, speaker: Speaker) -> str:
    if isinstance(text, str):
        return speaker.gettext(text)
    values = {name: _value(v, speaker) for name, v in text.params.items()}
    said = speaker.gettext(text.msgid)
    said = said % values if values else said
    return said[:1].upper() + said[1:] if text.capital else said


def speak(value: Any, speaker: Speaker) -> str:
    """Any phrase value (a phrase, number, day, list or plain value) as the speaker says it."""
    return _value(value, speaker)


def said(data: Any, speaker: Speaker) -> Any:
    """Data (dicts, lists: a chart's figure) with every phrase, number, day or list in it said; plain
    strings are data (colours, symbols) and stay as they are."""
    if isinstance(data, Phrase | Listed | Num | Day | Localised):
        return _value(data, speaker)
    if isinstance(data, dict):
        return {key: said(value, speaker) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return type(data)(said(value, speaker) for value in data)
    if dataclasses.is_dataclass(data) and not isinstance(data, type):  # a chart's table
        return dataclasses.replace(data, **{f.name: said(getattr(data, f.name), speaker)
                                            for f in dataclasses.fields(data)})
    return data


def _value(value: Any, speaker: Speaker) -> str:
    if isinstance(value, Phrase):
        return render(value, speaker)
    if isinstance(value, Num):
        return speaker.number(value.value, value.places)
    if isinstance(value, Day):
        return speaker.day(value.value)
    if isinstance(value, Localised):
        return value.pick(speaker.language())
    if isinstance(value, Listed):
        items = [_value(item, speaker) for item in value.items]
        if value.sep is not None or len(items) < 2:
            return (value.sep or "").join(items)
        # TRANSLATORS: the end of a list, e.g. "5, 7 and 8"; `head` is "5, 7". (Marked on its own line:
        # Babel 2.19's extractor fails on a marked string inside another keyword's call after a comment.)
        end = N_("%(head)s and %(last)s")
        return speaker.gettext(end) % {"head": ", ".join(items[:-1]), "last": items[-1]}
    if isinstance(value, float):
        return speaker.number(value, None)
    return str(value)


def _encode(value: Any) -> Any:
    if isinstance(value, Phrase):
        return value.to_json()
    if isinstance(value, Num):
        return {"num": value.value, "places": value.places}
    if isinstance(value, Day):
        return {"day": value.value.isoformat()}
    if isinstance(value, Localised):
        return {"texts": dict(value.texts)}
    if isinstance(value, Listed):
        return {"list": [_encode(v) for v in value.items], "sep": value.sep}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, Mapping):
        if "id" in value:
            return Phrase.from_json(value)
        if "num" in value:
            return Num(value["num"], value.get("places"))
        if "texts" in value:
            return Localised.of(value["texts"])
        if "day" in value:
            return Day(datetime.date.fromisoformat(value["day"]))
        if "list" in value:
            return Listed(tuple(_decode(v) for v in value["list"]), value.get("sep"))
    return value


@dataclass(frozen=True)
class _English:
    """The msgids as written, numbers with a point and a Unicode minus (the engine's own style)."""

    def gettext(self, msgid: str) -> str:
        return msgid

    def number(self, value: float, places: int | None) -> str:
        text = f"{value:g}" if places is None else f"{value:.{places}f}"
        return text.replace("-", "−")

    def language(self) -> str:
        return "en"

    def day(self, value: datetime.date) -> str:
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"  # the same in any server locale


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


ENGLISH: Speaker = _English()
