"""One problem found in an import file: where it is (row and column, the way a spreadsheet shows
them) and what is wrong, kept apart. The message is a phrase (feedback/phrases.py): `str()` is the
English the commands print for operators; a page says it in the reader's language. A message that
names another row holds it as `row_ref`, so the FHIR import can name that row's entry instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from feedback.phrases import Phrase, phrase
from feedback.translatable import N_

HEADER_ROW = 1
SHOWN_CHARS = 40  # of a faulty value quoted back in a message: a 5,000-character cell is not repeated
ROW = N_("row %(number)s")


@dataclass(frozen=True, order=True)
class Problem:
    #: Spreadsheet row number (the header is row 1); None for a problem with the command's options.
    row: int | None
    #: Header name of the column, or the option (e.g. "--clinic") for a problem outside the file.
    column: str
    #: What is wrong, to be said in the reader's language.
    phrase: Phrase = field(compare=False)

    @property
    def message(self) -> str:
        """In English (the commands' output, the tests' pins)."""
        return str(self.phrase)

    def location(self) -> Phrase | str:
        if self.row is None:
            return self.column
        return phrase(N_("row %(row)s, column %(column)s"), row=self.row, column=self.column)

    def __str__(self) -> str:
        return f"{self.location()}: {self.phrase}"


def row_ref(number: int) -> Phrase:
    """Another row named inside a message ("dated 2024-03-01 in row 7")."""
    return phrase(ROW, number=number)


def session_of(row: SessionRow) -> Phrase:
    return phrase(N_("session %(number)s of %(patient)s"), number=row.session_number, patient=row.patient_code)


class SessionRow(Protocol):
    session_number: int
    patient_code: str


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    # Options first, then top to bottom as the file reads.
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))


def quoted(value: str) -> str:
    """A cell's value as a message quotes it: shortened, and with control characters escaped."""
    return repr(value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…")
