"""Keep link tokens out of access logs: a token in a log is a working link to a patient's form
(or to a clinician's set-password page, or a patient's unsubscribe link `/u/<token>`).

Every shape a client may send is covered, not just the one the app builds: repeated slashes
(`//s//<token>`, which the router merges), more path after the token, percent-encoded slashes
(`?next=%2Fs%2F<token>`), and any query parameter whose name says token.
"""

from __future__ import annotations

import logging
import re

_SEPARATOR = r"(?:/|%2F)+"
# A token's characters, percent-encoded or not; 8 or more, so /s/thanks stays readable.
_SEGMENT = r"(?:[A-Za-z0-9_-]|%(?!2F)[0-9A-F]{2}){8,}"
TOKEN_IN_URL = re.compile(
    rf"({_SEPARATOR}(?:s|u|password{_SEPARATOR}set){_SEPARATOR}){_SEGMENT}"
    rf"|([?&][^=&\s]*token[^=&\s]*=)[^&#\s\"']+",
    re.IGNORECASE,
)


def redact(message: str) -> str:
    return TOKEN_IN_URL.sub(lambda match: (match.group(1) or match.group(2)) + "<token>", message)


class RedactSurveyTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(*logger_names: str) -> None:
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSurveyTokens) for f in logger.filters):
            logger.addFilter(RedactSurveyTokens())
