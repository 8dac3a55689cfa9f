"""The one input-hygiene rule for text entering the system, whatever the edge: forms, the survey,
CSV import cells, FHIR import bundles, command-line arguments, path and query parameters
(`feedback/text_edges.py` applies it to the web and the command line, the survey and the importers
call it directly).

Refused: NUL and the other C0 and C1 control characters and DEL (tab and newline only in
multi-line text), and the Unicode bidi overrides and isolates, which make text read differently
from what it holds (CVE-2021-42574). NUL also breaks PostgreSQL text and JSON columns. So do
lone surrogates, which is how Python hands over command-line bytes that are not UTF-8. Accepted
text is NFC-normalised, so the same words are stored, searched and compared one way.

Numbers are written with the ASCII digits 0-9: `int()` also reads Arabic-Indic or full-width
digits, and refuses more than 4,300 digits with a message about Python, not about the input.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata

from feedback.phrases import phrase
from feedback.translatable import N_

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
SURROGATES = "\ud800-\udfff"
_REFUSED = {
    False: re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}{SURROGATES}]"),
    True: re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}{SURROGATES}]"),  # tab (09), newline (0a) kept
}
_ASCII_DIGITS = re.compile(r"[0-9]+")  # [0-9], not \d: \d matches the digits of every script
#: The largest value a PostgreSQL INTEGER column holds: ids, session numbers, answers.
LARGEST_NUMBER = 2**31 - 1


class HostileText(ValueError):
    """The text holds a character the rule refuses. `clause` follows the name of what holds it ("The
    note holds ...") as a phrase for the reader's language, the message is its English; `code` is
    the character as U+XXXX."""

    def __init__(self, character: str) -> None:
        self.code = f"U+{ord(character):04X}"
        surrogate = "\ud800" <= character <= "\udfff"
        kind = N_("a byte that is not UTF-8 text") if surrogate else N_("an invisible control character")
        self.clause = phrase(N_("holds %(kind)s (%(code)s); remove it"), kind=phrase(kind), code=self.code)
        super().__init__(str(self.clause))


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character the rule refuses in `text` (a carriage return counts as a line end), or None."""
    match = _REFUSED[multiline].search(_line_ends(text) if multiline else text)
    return match.group() if match else None


def clean(text: str, *, multiline: bool = False) -> str:
    """`text` NFC-normalised, with line ends as newlines in multi-line text; HostileText if it holds
    a refused character."""
    character = refused_character(text, multiline=multiline)
    if character is not None:
        raise HostileText(character)
    return unicodedata.normalize("NFC", _line_ends(text) if multiline else text)


def _line_ends(text: str) -> str:
    # Browsers send a textarea's line ends as CRLF; old Mac files end lines with a lone CR.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def printable(text: str) -> str:
    """Text from outside quoted back (a message, an audit detail): every unprintable character a "?"."""
    return "".join(c if c.isprintable() else "?" for c in text)


def has_foreign_digits(text: str) -> bool:
    """Whether `text` holds a digit other than 0-9 (Arabic-Indic, full-width, ...)."""
    return any(character.isdecimal() and not character.isascii() for character in text)


def whole_number(text: str, *, largest: int = LARGEST_NUMBER) -> int:
    """A whole number written with the digits 0-9, from 0 to `largest`; ValueError otherwise."""
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > len(str(largest)) or int(text) > largest:
        raise ValueError(f"is not a whole number from 0 to {largest} written with the digits 0-9")
    return int(text)
