"""One problem found in an import bundle, addressed by the entry (index and fullUrl) and the FHIR
path in its resource; and the CSV importer's problems, which name rows and columns, re-addressed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboards.importer.problems import Problem
from dashboards.importer.rows import SESSION_COLUMNS
from feedback.text_hygiene import printable

URL_SHOWN = 80  # characters of a fullUrl quoted back


@dataclass(frozen=True)
class FhirProblem:
    #: Index in Bundle.entry; None for the bundle as a whole, or a command option.
    entry: int | None
    full_url: str | None
    #: e.g. QuestionnaireResponse.item[3].answer[0].valueInteger; or an option such as --clinic.
    path: str
    message: str

    def __str__(self) -> str:
        if self.entry is None:
            return f"{self.path}: {self.message}"
        where = f"entry[{self.entry}]" + (f" ({shown(self.full_url)})" if self.full_url else "")
        return f"{where} {self.path}: {self.message}"


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

    def problem(self, path: str, message: str) -> FhirProblem:
        return FhirProblem(self.entry, self.full_url, path, message)

    def label(self) -> str:
        return f"entry[{self.entry}]"


ROW_MENTION = re.compile(r"\brow (\d+)\b")


def readdressed(problem: Problem, origins: Mapping[int, Origin]) -> FhirProblem:
    """An importer problem about a row and column, about the resource and path it was read from."""
    origin = origins.get(problem.row) if problem.row is not None else None
    if origin is None:
        return FhirProblem(None, None, problem.column, problem.message)
    path = origin.paths.get(problem.column)
    message = problem.message
    if path is None and origin.resource_type == "QuestionnaireResponse" and problem.column not in SESSION_COLUMNS:
        path = f"QuestionnaireResponse.item.where(linkId='{problem.column}')"  # an item it does not answer
    # The importer names other rows ("dated 2024-03-01 in row 7"): name their entries instead.
    message = ROW_MENTION.sub(lambda m: origins[int(m[1])].label() if int(m[1]) in origins else m[0], message)
    return origin.problem(path or origin.resource_type, message)
