"""One problem found in an import bundle, addressed by the entry (index and fullUrl) and the FHIR
path in its resource; and the CSV importer's problems, which name rows and columns, re-addressed.
Where a problem is (FHIR's own notation, the same in every language) and what is wrong (a phrase,
said in the reader's language on the page; English in the command's output) are kept apart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboards.importer.problems import ROW, Problem
from dashboards.importer.rows import SESSION_COLUMNS
from feedback.phrases import Listed, Phrase
from feedback.text_hygiene import printable

URL_SHOWN = 80  # characters of a fullUrl quoted back


@dataclass(frozen=True)
class FhirProblem:
    #: Index in Bundle.entry; None for the bundle as a whole, or a command option.
    entry: int | None
    full_url: str | None
    #: e.g. QuestionnaireResponse.item[3].answer[0].valueInteger; or an option such as --clinic.
    path: str
    #: What is wrong, to be said in the reader's language.
    phrase: Phrase

    @property
    def message(self) -> str:
        """In English (the command's output, the tests' pins)."""
        return str(self.phrase)

    def location(self) -> str:
        if self.entry is None:
            return self.path
        where = f"entry[{self.entry}]" + (f" ({shown(self.full_url)})" if self.full_url else "")
        return f"{where} {self.path}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.phrase}"


def shown(text: str) -> str:
    """Text from the bundle as a message repeats it: printable and short."""
    text = printable(text)
    return text if len(text) <= URL_SHOWN else text[: URL_SHOWN - 1] + "…"


@dataclass(frozen=True)
class Origin:
    """Where an import row came from: one resource of the bundle."""

    entry: int
    full_url: str | None
    resource_type: str
    #: Column of the import row -> the path of the value it was read from.
    paths: dict[str, str] = field(default_factory=dict)

    def problem(self, path: str, message: Phrase) -> FhirProblem:
        return FhirProblem(self.entry, self.full_url, path, message)

    def label(self) -> str:
        return f"entry[{self.entry}]"


def readdressed(problem: Problem, origins: Mapping[int, Origin]) -> FhirProblem:
    """An importer problem about a row and column, about the resource and path it was read from."""
    origin = origins.get(problem.row) if problem.row is not None else None
    if origin is None:
        return FhirProblem(None, None, problem.column, problem.message)
    path = origin.paths.get(problem.column)
    if path is None and origin.resource_type == "QuestionnaireResponse" and problem.column not in SESSION_COLUMNS:
        path = f"QuestionnaireResponse.item.where(linkId='{problem.column}')"  # an item it does not answer
    return origin.problem(path or origin.resource_type, _entries_for_rows(problem.phrase, origins))


def _entries_for_rows(said: Phrase, origins: Mapping[int, Origin]) -> Phrase:
    """The importer names other rows (a `row_ref`: "dated 2024-03-01 in row 7"): name their entries instead."""
    return Phrase(said.msgid, {name: _entries_in(value, origins) for name, value in said.params.items()}, said.capital)


def _entries_in(value: object, origins: Mapping[int, Origin]) -> object:
    if isinstance(value, Phrase) and value.msgid == ROW and value.params["number"] in origins:
        return origins[value.params["number"]].label()
    if isinstance(value, Phrase):
        return _entries_for_rows(value, origins)
    if isinstance(value, Listed):
        return Listed(tuple(_entries_in(item, origins) for item in value.items), value.sep)
    return value
