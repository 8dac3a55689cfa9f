"""Reading the file itself: encodings, delimiters, row numbers as a spreadsheet shows them."""

from __future__ import annotations

import pytest

from dashboards.importer.csvfile import UnreadableFile, read_table


def test_byte_order_mark_is_not_part_of_the_first_column_name():
    table = read_table("\ufeffpatient_code,session_number\nP-1,1\n".encode())
    assert table.header == ["patient_code", "session_number"]
    assert table.rows == [(2, ["P-1", "1"])]


def test_semicolon_separated_file_from_a_decimal_comma_locale():
    table = read_table(b'patient_code;markers\nP-1;"clarify;not_yet"\n')
    assert table.header == ["patient_code", "markers"]
    assert table.rows == [(2, ["P-1", "clarify;not_yet"])]


def test_row_numbers_count_spreadsheet_rows_not_lines():
    # Row 2 has a cell with a line break (one spreadsheet row over two lines); row 3 is blank.
    table = read_table(b'code,comment\nP-1,"two\nlines"\n\nP-2,"a, ""quoted"" text"\n')
    assert table.rows == [(2, ["P-1", "two\nlines"]), (4, ["P-2", 'a, "quoted" text'])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "binary data"),  # an .xlsx workbook
        ("patient_code\nJürgen\n".encode("latin-1"), "not UTF-8"),
        (b"  \n\n", "is empty"),
        (b'patient_code,comment\nP-1,"never closed\n', "not valid CSV"),
        (b'patient_code,comment\nP-1,"closed" and more\n', "not valid CSV"),
    ],
)
def test_what_is_not_a_csv_file_is_named(data, message):
    with pytest.raises(UnreadableFile, match=message):
        read_table(data)
