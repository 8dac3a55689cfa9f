"""Access logs never carry survey tokens."""

from __future__ import annotations

import logging

from feedback.log_redaction import RedactSurveyTokens


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_token_in_an_access_log_line_is_redacted(app):
    token = "8Wr4qldKO4wc80XrLCljpmFIW1R72OKH0l5kGG1ZB_c"
    logger = logging.getLogger("werkzeug")  # the app factory installed the filter on it
    collect = _Collect()
    logger.addHandler(collect)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        logger.info('%s - - "%s" %s', "127.0.0.1", f"GET /s/{token} HTTP/1.1", 200)
    finally:
        logger.removeHandler(collect)
        logger.setLevel(old_level)
    assert collect.lines == ['127.0.0.1 - - "GET /s/<token> HTTP/1.1" 200']


def test_other_lines_are_untouched():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "GET %s", ("/static/x.css",), None)
    assert RedactSurveyTokens().filter(record) and record.getMessage() == "GET /static/x.css"
