"""feedback.stored_json.decode gives exactly what json.loads gives: the value, or the same error."""

from __future__ import annotations

import json

import pytest

from feedback.stored_json import decode

CASES = ['{"bond": 4.25, "items": [1, 2, null], "ok": true}', '{"a":1}', " {\"a\": 1}", '{"a": 1} ', "5", '"x"',
         "[]", "{}", '{"a": NaN}', "", "nul", '{"a": 1}{', "[1, 2]x", '{"a": 1', "\n[1]\n",
         b'{"a": 1}', b'{"caf\xc3\xa9": "\xc3\xa9"}', '{"a": 1}'.encode("utf-16"), '{"a": 1}'.encode("utf-16-le"),
         b" 1", b"\xff", b"{\xff}", b"[\x00]", b"{"]


@pytest.mark.parametrize("text", CASES)
def test_decode_is_json_loads(text):
    try:
        expected = ("value", json.loads(text))
    except ValueError as error:  # JSONDecodeError, or UnicodeDecodeError for bytes
        expected = ("error", type(error), str(error))
    try:
        found = ("value", decode(text))
    except ValueError as error:
        found = ("error", type(error), str(error))
    assert found == expected


def test_the_database_reads_stored_json_with_it(app):
    from feedback.extensions import db

    assert db.engine.dialect._json_deserializer is decode
