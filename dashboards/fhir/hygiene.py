"""The input-hygiene rule (`feedback/text_hygiene.py`) on every string of an import bundle, before
any of it is read: a character the rule refuses (a control character, a bidi override or isolate, a
lone surrogate from a `\\ud800` escape) in any value or property name, of any entry, imported or read
over, is a problem naming the entry, its fullUrl and the FHIR path. Tab and line breaks stay, as FHIR's
`string` allows them. So a bundle's text meets the rule a CSV file's cells meet, in FHIR's terms.

Plain functions: no database, no request. The walk uses a stack, not recursion: the JSON parser
already refused nesting beyond reason, and a deep bundle costs no Python frames here.
"""

from __future__ import annotations

from typing import Any

from dashboards.fhir.problems import FhirProblem, shown
from feedback.phrases import Phrase, phrase
from feedback.text_hygiene import HostileText, refused_character
from feedback.translatable import N_

#: Problems listed before the rest are only counted: a hostile bundle cannot make an endless page.
MAX_LISTED = 100


class _Found:
    """The first MAX_LISTED problems, and how many more there were (counted, never kept)."""

    def __init__(self) -> None:
        self.listed: list[FhirProblem] = []
        self.more = 0

    def add(self, entry: int | None, full_url: str | None, path: str, message: Phrase) -> None:
        if len(self.listed) < MAX_LISTED:
            self.listed.append(FhirProblem(entry, full_url, path, message))
        else:
            self.more += 1

    def problems(self) -> list[FhirProblem]:
        if not self.more:
            return self.listed
        more = phrase(N_("%(more)s more strings hold characters the input rule refuses; the first %(listed)s are "
                         "listed"), more=self.more, listed=MAX_LISTED)
        return [*self.listed, FhirProblem(None, None, "Bundle", more)]


def hostile_strings(raw: Any) -> list[FhirProblem]:
    """A problem for each string of the parsed bundle that the rule refuses; empty when there is none."""
    found = _Found()
    if not isinstance(raw, dict):
        _walk(raw, None, None, "Bundle", found)
        return found.problems()
    for key, value in raw.items():
        if key == "entry" and isinstance(value, list):
            for index, entry in enumerate(value):
                _entry(index, entry, found)
        else:
            _walk({key: value}, None, None, "Bundle", found)
    return found.problems()


def _entry(index: int, entry: Any, found: _Found) -> None:
    """Paths inside an entry's resource start with its type, as the import's other problems do."""
    if not isinstance(entry, dict):
        _walk(entry, index, None, "entry", found)
        return
    full_url = entry.get("fullUrl")
    full_url = full_url if isinstance(full_url, str) and refused_character(full_url) is None else None
    for key, value in entry.items():
        kind = value.get("resourceType") if key == "resource" and isinstance(value, dict) else None
        if isinstance(kind, str) and refused_character(kind) is None:
            _walk(value, index, full_url, kind, found)
        else:
            _walk({key: value}, index, full_url, "", found)


def _walk(value: Any, entry: int | None, full_url: str | None, path: str, found: _Found) -> None:
    stack = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            character = refused_character(value, multiline=True)
            if character is not None:
                found.add(entry, full_url, path or "entry", HostileText(character).clause)
        elif isinstance(value, dict):
            children = []
            for key, child in value.items():
                character = refused_character(key, multiline=True)
                name = shown(key)
                if character is not None:
                    found.add(entry, full_url, _join(path, name),
                              phrase(N_("the property name %(refusal)s"), refusal=HostileText(character).clause))
                children.append((child, _join(path, name)))
            stack += reversed(children)  # in the document's order
        elif isinstance(value, list):
            stack += reversed([(child, f"{path}[{k}]") for k, child in enumerate(value)])


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
