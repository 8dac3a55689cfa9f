"""The CSV import's problems said in a Spanish reader's language (issue 19): each location (row and
column) and message a phrase apart; the command's output stays English (test_import_cli pins it)."""

from __future__ import annotations

from flask_babel import force_locale

from dashboards.importer.csvfile import read_table
from dashboards.importer.operations import import_table
from dashboards.speech import say
from tests.importer.helpers import SESSION_COLUMNS, csv_text


def test_a_faulty_file_read_in_spanish_names_each_problems_row_and_column(app, make_clinic):
    make_clinic("Eastside")
    table = read_table(csv_text(
        SESSION_COLUMNS,
        "P-1,t@example.org,1,2025-03-04,attended,,",
        "P-1,t@example.org,1,2025-03-05,no-show,therapist,",
        "P-2,t@example.org,1,4.3.2025,attended,,",
        "P-3,t@example.org,1,2025-03-04,attended\x07,,",
    ).encode())
    problems = import_table(table, clinic_name="Eastside").problems
    with force_locale("es"):
        said = [f"{say(p.location())}: {say(p.phrase)}" for p in problems]
    assert said == [
        "fila 2, columna therapist_email: no hay ninguna cuenta de t@example.org en Eastside; añádala o use "
        "--create-missing",
        "fila 3, columna session_date: la sesión 1 de P-1 tiene fecha 2025-03-04 en fila 2",
        "fila 3, columna attendance: la sesión 1 de P-1 figura como attended en fila 2",
        "fila 4, columna session_date: '4.3.2025' no es una fecha escrita AAAA-MM-DD",
        "fila 5, columna attendance: contiene un carácter de control invisible (U+0007); elimínelo",
    ]
    assert [str(p) for p in problems][1] == "row 3, column session_date: session 1 of P-1 is dated 2025-03-04 in row 2"
