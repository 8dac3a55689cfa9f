"""Keep link tokens out of access logs: a token in a log is a working link to a patient's form
(or to a clinician's set-password page)."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/s/|/password/set/)[A-Za-z0-9_-]{8,}")
REDACTED = r"\1<token>"


class RedactSurveyTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/s/" in message or "/password/set/" in message:
            record.msg = TOKEN_IN_PATH.sub(REDACTED, message)
            record.args = None
        return True


def install(*logger_names: str) -> None:
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSurveyTokens) for f in logger.filters):
            logger.addFilter(RedactSurveyTokens())
