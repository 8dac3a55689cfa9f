"""Dashboard charts in a real browser under the app's strict CSP (script-src 'self', style-src 'self'), on a phone.

(Here rather than in tests/dashboards/ so it shares this folder's one browser: two Playwright
instances cannot run in one process.)"""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify, render_template_string

from dashboards import assets
from dashboards.charts.patient import patient_charts
from dashboards.charts.table import chart_table
from tests.browser_support import assert_accessible
from tests.dashboards.chart_data import HISTORY, ITEMS

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Chart probe</title>
<link rel="stylesheet" href="{{ asset_url('dashboards.css') }}">
{% if strict %}{{ chart_assets() }}{% else %}
<script src="{{ asset_url('plotly.js') }}" defer></script><script src="{{ asset_url('charts.js') }}" defer></script>
{% endif %}
</head><body><main>
{% for scale in ("alliance", "bond") %}{% set table = tables[scale] %}
<figure class="chart-figure" aria-describedby="table-{{ scale }}"><figcaption>{{ table.caption }}</figcaption>
<div class="chart" data-chart-src="/probe/charts.json" data-chart-key="{{ scale }}"></div>
<details><summary>Show as a table</summary><div class="table-scroll"><table class="data-table" id="table-{{ scale }}">
<caption>{{ table.caption }}</caption><thead><tr>{% for c in table.columns %}<th scope="col">{{ c }}</th>{% endfor %}
</tr></thead><tbody>{% for row in table.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div></details></figure>{% endfor %}
</main></body></html>"""

COLLECT_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  [e.violatedDirective, e.sourceFile, e.lineNumber, e.columnNumber, e.sample].join(" ")));"""


@pytest.fixture
def probe(app):
    """A page with two charts and their tables, served by the app (its CSP and its assets)."""
    if "dashboards_assets" not in app.blueprints:
        assets.register(app)
    bp = Blueprint("probe", __name__, url_prefix="/probe")

    @bp.get("/<variant>")
    def page(variant: str):
        tables = {scale: chart_table(HISTORY, scale) for scale in ("alliance", "bond")}
        return render_template_string(PAGE, tables=tables, strict=variant == "strict")

    @bp.get("/charts.json")
    def figures():
        return jsonify(patient_charts(HISTORY, items=ITEMS))

    app.register_blueprint(bp)
    return app


def open_probe(page, variant: str) -> list[str]:
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type in ("warning", "error") else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(f"/probe/{variant}")
    page.wait_for_selector(".chart--drawn >> nth=1")
    return warnings


def test_charts_draw_under_strict_csp_on_a_phone(probe, phone_page):
    page = phone_page
    encodings = []
    page.on("response", lambda r: encodings.append(r.headers.get("content-encoding")) if "plotly-" in r.url else None)
    warnings = open_probe(page, "strict")
    assert page.evaluate("window.__csp") == []
    assert not [w for w in warnings if "CSP" in w or "Content Security Policy" in w]
    # plotly's own rules arrive from the stylesheet file: its mode bar is positioned by them.
    assert page.eval_on_selector(".modebar", "el => getComputedStyle(el).position") == "absolute"
    assert "gzip" in encodings
    # Usable at 390 px: nothing wider than the screen, the chart fills its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    width = page.eval_on_selector(".chart .main-svg", "el => el.getBoundingClientRect().width")
    assert 300 < width <= 390
    assert page.locator(".chart .scatterlayer .trace").count() > 5
    assert_accessible(page, "chart-probe-phone")


def test_charts_follow_the_window_size(probe, phone_page):
    page = phone_page
    open_probe(page, "strict")
    narrow = page.eval_on_selector(".chart .main-svg", "el => el.getBoundingClientRect().width")
    page.set_viewport_size({"width": 900, "height": 900})
    page.wait_for_function(
        "min => document.querySelector('.chart .main-svg').getBoundingClientRect().width > min", arg=narrow + 200)


def test_without_the_stylesheet_file_strict_csp_blocks_plotlys_injected_style(probe, phone_page):
    """Why pages use chart_assets(): plotly.js would otherwise inject <style> elements, refused by style-src 'self'."""
    open_probe(phone_page, "bare")
    assert [v for v in phone_page.evaluate("window.__csp") if v.startswith("style-src-elem")]
    assert phone_page.eval_on_selector(".modebar", "el => getComputedStyle(el).position") != "absolute"
