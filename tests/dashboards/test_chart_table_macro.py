"""A chart's table (its text alternative) is written once, as a macro, and used by the patient page's
alliance charts and outcome chart and by the review with the patient."""

from __future__ import annotations

from pathlib import Path

from flask import render_template_string

from dashboards.charts.table import ChartTable

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "dashboards"
USERS = ("therapist/_charts.html", "therapist/_outcomes.html", "review.html")
IMPORT = '{% from "dashboards/therapist/_chart_table.html" import chart_table %}'
TABLE = ChartTable(caption="PHQ-9 by session", columns=("Session", "PHQ-9"), rows=(("1", "15 <b>"),),
                   notes=("A note & more",))


def test_the_three_pages_use_the_one_macro_and_carry_no_table_markup_of_their_own():
    for name in USERS:
        source = (TEMPLATES / name).read_text()
        assert IMPORT in source and "chart_table(" in source, name
        assert "<table" not in source and "Show as a table" not in source, name


def test_folded_beside_its_chart_with_its_id_notes_and_escaped_cells(app):
    with app.test_request_context():
        html = render_template_string(IMPORT + "{{ chart_table(table, id='table-phq9') }}", table=TABLE)
    assert '<details class="chart-table">' in html and "<summary>Show as a table</summary>" in html
    assert '<table class="data-table" id="table-phq9">' in html and "<caption>PHQ-9 by session</caption>" in html
    assert '<th scope="col">Session</th><th scope="col">PHQ-9</th>' in html
    assert '<tr><th scope="row">1</th><td>15 &lt;b&gt;</td></tr>' in html
    assert '<p class="muted">A note &amp; more</p>' in html


def test_an_empty_table_says_so_when_asked(app):
    empty = ChartTable(caption="c", columns=("Session", "Date", "Patient"), rows=(), notes=())
    with app.test_request_context():
        said = render_template_string(IMPORT + "{{ chart_table(t, empty='No sessions yet.') }}", t=empty)
        silent = render_template_string(IMPORT + "{{ chart_table(t) }}", t=empty)
    assert '<tr><td colspan="3">No sessions yet.</td></tr>' in said and "<td" not in silent


def test_open_for_printing_with_its_own_caption_and_no_notes(app):
    with app.test_request_context():
        html = render_template_string(
            IMPORT + "{{ chart_table(table, caption='Your answers by session', folded=false, notes=false) }}",
            table=TABLE)
    assert "<details" not in html and "Show as a table" not in html and " id=" not in html
    assert "<caption>Your answers by session</caption>" in html and "A note" not in html
