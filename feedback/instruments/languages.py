"""An instrument's languages: every text in each of them, and a fingerprint of each language's
wording (pure).

A translation is part of its instrument's version: answers are stored with the version and the
language they were given in, so a version's wording in a language may never change afterwards
(docs/instruments.md, "Languages"). `fingerprints` is what tests/instruments compares with the
wording recorded for each shipped version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from feedback.instruments.model import Instrument


def texts(instrument: Instrument) -> Iterator[tuple[str, Mapping[str, str]]]:
    """(where, {language: wording}) for every text of the instrument, in file order."""
    yield "field 'title'", instrument.title
    if instrument.intro:
        yield "field 'intro'", instrument.intro
    if instrument.privacy_notice:
        yield "field 'privacy_notice'", instrument.privacy_notice
    for item in instrument.items:
        where = f'item "{item.id}"'
        yield f"{where}, field 'text'", item.text
        if item.help:
            yield f"{where}, field 'help'", item.help
        for point, anchor in item.anchors.items():
            yield f"{where}, anchor {point}", anchor
        for option in item.options:
            yield f'{where}, option "{option.id}"', option.label
    for scale in instrument.scales.values():
        yield f'scale "{scale.id}", field \'label\'', scale.label
        for band in scale.outcome.bands if scale.outcome else ():
            yield f'scale "{scale.id}", band from {band.start}', band.label


def check_languages(instrument: Instrument) -> tuple[str, str] | None:
    """(where, problem) for the first text missing a listed language, or a translation without
    its validation status; None when the file is complete."""
    first, *others = instrument.languages
    for language in others:
        if language not in instrument.translations:
            return "field 'translations'", f'"{language}" needs an entry: validated true or false, and its source'
    for language in instrument.translations:
        if language not in others:
            return "field 'translations'", f'"{language}" is not one of the languages after the first'
    for where, wording in texts(instrument):
        for language in instrument.languages:
            if not wording.get(language):
                return where, f'no "{language}" text (each text needs every language of {list(instrument.languages)})'
    return None


def fingerprints(instrument: Instrument) -> dict[str, str]:
    """A short digest of all the wording in each language: equal if and only if no word changed."""
    out = {}
    for language in instrument.languages:
        wording = [[where, mapping[language]] for where, mapping in texts(instrument)]
        digest = hashlib.sha256(json.dumps(wording, ensure_ascii=False).encode()).hexdigest()
        out[language] = digest[:16]
    return out
