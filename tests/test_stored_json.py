"""feedback.stored_json.decode gives exactly what json.loads gives: the value, or the same error."""

from __future__ import annotations

import json

import pytest

from feedback.stored_json import decode

CASES = ['{"bond": 4.25, "items": [1, 2, null], "ok": true}', '{"a":1}', " {\"a\": 1}", '{"a": 1} ', "5", '"x"',
         "[]", "{}", '{"a": NaN}', "", "nul", '{"a": 1}{', "[1, 2]x", '{"a": 1', b'{"a": 1}', "\n[1]\n"]


@pytest.mark.parametrize("text", CASES)
def test_decode_is_json_loads(text):
    try:
        expected = ("value", json.loads(text))
    except json.JSONDecodeError as error:
        expected = ("error", str(error))
    try:
        found = ("value", decode(text))
    except json.JSONDecodeError as error:
        found = ("error", str(error))
    assert found == expected


def test_the_database_reads_stored_json_with_it(app):
    from feedback.extensions import db

    assert db.engine.dialect._json_deserializer is decode
