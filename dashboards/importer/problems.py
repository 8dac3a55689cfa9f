"""One problem found in an import file, addressed the way a spreadsheet shows it."""

from __future__ import annotations

from dataclasses import dataclass

HEADER_ROW = 1
SHOWN_CHARS = 40  # of a faulty value quoted back in a message: a 5,000-character cell is not repeated


@dataclass(frozen=True, order=True)
class Problem:
    #: Spreadsheet row number (the header is row 1); None for a problem with the command's options.
    row: int | None
    #: Header name of the column, or the option (e.g. "--clinic") for a problem outside the file.
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.column}: {self.message}"
        return f"row {self.row}, column {self.column}: {self.message}"


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    # Options first, then top to bottom as the file reads.
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))


def quoted(value: str) -> str:
    """A cell's value as a message quotes it: shortened, and with control characters escaped."""
    return repr(value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…")
