"""Access logs never carry survey tokens."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

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


TOKEN = "8Wr4qldKO4wc80XrLCljpmFIW1R72OKH0l5kGG1ZB_c"
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def shapes(path: str) -> list[str]:
    """The ways a client may write a path that carries a token, as access logs print them."""
    return [
        path, path.replace("/", "//"), path + "/", path + "/more/after", path + "?lang=en#x", path + "%00",
        "/login?next=" + path, "/login?next=" + quote(path, safe=""), "/login?x=1&next=" + quote(path, safe="/"),
        f"/anything?token={TOKEN}", f"/anything?a=1&link_token={TOKEN}&b=2",
    ]


def test_every_route_with_a_token_is_redacted_in_every_shape(app):
    token_rules = [rule.rule for rule in app.url_map.iter_rules() if any("token" in a for a in rule.arguments)]
    assert {"/s/<token>", "/password/set/<token>"} <= set(token_rules)
    logger = logging.getLogger("gunicorn.access")  # gunicorn formats its line from a dict of atoms
    collect = _Collect()
    logger.addHandler(collect)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        for rule in token_rules:
            path = PARAMETER.sub(lambda m: TOKEN if "token" in m.group(1) else "1", rule)
            for shape in shapes(path):
                logger.info('%(h)s "%(r)s" %(s)s', {"h": "203.0.113.7", "r": f"GET {shape} HTTP/1.1", "s": "404"})
    finally:
        logger.removeHandler(collect)
        logger.setLevel(old_level)
    assert len(collect.lines) == len(token_rules) * len(shapes(""))
    assert [line for line in collect.lines if TOKEN[:8] in line or TOKEN[-8:] in line] == []  # not even a part
    assert '203.0.113.7 "GET //s//<token> HTTP/1.1" 404' in collect.lines
