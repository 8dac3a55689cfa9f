"""Read an import file into a header and numbered rows, or say plainly why it is not a CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

# Excel's "CSV UTF-8" starts with a byte-order mark; utf-8-sig reads files with and without one.
ENCODING = "utf-8-sig"
# Spreadsheets set to a locale with a decimal comma save CSV with ';' (or tabs) between cells.
DELIMITERS = (",", ";", "\t")


class UnreadableFile(ValueError):
    """Not a CSV text file; the message completes the sentence "FILE ..."."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    #: (row number as a spreadsheet shows it, cells); the header is row 1, blank rows are left out.
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes) -> Table:
    if b"\x00" in data:
        raise UnreadableFile("is not a CSV file (it holds binary data); save the spreadsheet as 'CSV UTF-8'")
    try:
        text = data.decode(ENCODING)
    except UnicodeDecodeError:
        raise UnreadableFile("is not UTF-8 text; save the spreadsheet as 'CSV UTF-8'") from None
    if not text.strip():
        raise UnreadableFile("is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        # Counting records, not lines: a quoted cell with line breaks is still one spreadsheet row.
        records = list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise UnreadableFile(f"is not valid CSV near line {reader.line_num} ({exc})") from None
    (_, header), *rest = records
    rows = [(number, cells) for number, cells in rest if any(cell.strip() for cell in cells)]
    return Table([name.strip() for name in header], rows)


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return next((d for d in DELIMITERS if d in first_line), ",")
