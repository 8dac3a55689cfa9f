"""Dashboard charts in a real browser under the app's strict CSP (script-src 'self', style-src 'self'), on a phone
and on a laptop: drawn when scrolled to, legends and the mode bar clear of everything else.

(Here rather than in tests/dashboards/ so it shares this folder's one browser: two Playwright
instances cannot run in one process.)"""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify, render_template_string

from dashboards import assets
from dashboards.charts.clinic import ended_by_month_chart
from dashboards.charts.patient import patient_charts
from dashboards.charts.table import chart_table
from dashboards.clinic_stats import EndedMonth, Rate
from tests.browser_support import assert_accessible, draw_every_chart
from tests.dashboards.chart_data import HISTORY, ITEMS

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Chart probe</title>
<link rel="stylesheet" href="{{ asset_url('dashboards.css') }}">
{% if strict %}{{ chart_assets() }}{% else %}
<script src="{{ asset_url('plotly.js') }}" defer></script><script src="{{ asset_url('charts.js') }}" defer></script>
{% endif %}
</head><body><main><div class="chart-grid">
{% for scale in ("alliance", "bond") %}{% set table = tables[scale] %}
<figure class="chart-figure" aria-describedby="table-{{ scale }}"><figcaption>{{ table.caption }}</figcaption>
<div class="chart" data-chart-src="/probe/charts.json" data-chart-key="{{ scale }}"></div>
<details class="chart-table"><summary>Show as a table</summary><div class="table-scroll"><table class="data-table" id="table-{{ scale }}">
<caption>{{ table.caption }}</caption><thead><tr>{% for c in table.columns %}<th scope="col">{{ c }}</th>{% endfor %}
</tr></thead><tbody>{% for row in table.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div></details></figure>{% endfor %}
</div>
<figure class="chart-figure"><figcaption>Ended treatments per month</figcaption>
<div class="chart" data-chart-src="/probe/ended.json"></div></figure>
</main></body></html>"""
#: The director's chart with every trace: three end reasons and the dropout rate up to 100 %.
ENDED = [EndedMonth("2024-03", {"completed": 1, "dropped_out": 1, "transferred": 0}, Rate(1, 2)),
         EndedMonth("2024-04", {"completed": 0, "dropped_out": 2, "transferred": 0}, Rate(2, 2)),
         EndedMonth("2024-05", {"completed": 2, "dropped_out": 0, "transferred": 1}, Rate(0, 3))]
CHARTS = 3

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

    @bp.get("/ended.json")
    def ended():
        return jsonify(ended_by_month_chart(ENDED))

    app.register_blueprint(bp)
    return app


def open_probe(page, variant: str) -> list[str]:
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type in ("warning", "error") else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(f"/probe/{variant}")
    draw_every_chart(page, CHARTS)
    return warnings


def test_charts_draw_under_strict_csp_on_a_phone(probe, phone_page):
    page = phone_page
    encodings = []
    page.on("response", lambda r: encodings.append(r.headers.get("content-encoding")) if "plotly-" in r.url else None)
    warnings = open_probe(page, "strict")
    assert page.evaluate("window.__csp") == []
    assert not [w for w in warnings if "CSP" in w or "Content Security Policy" in w]
    # plotly's own rules arrive from the stylesheet file: its layers are positioned by them.
    assert page.eval_on_selector(".chart .main-svg", "el => getComputedStyle(el).position") == "absolute"
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
    page.set_viewport_size({"width": 1366, "height": 900})  # two charts a row, each wider than the phone
    page.wait_for_function(
        "min => document.querySelector('.chart .main-svg').getBoundingClientRect().width > min", arg=narrow + 200)


def test_without_the_stylesheet_file_strict_csp_blocks_plotlys_injected_style(probe, phone_page):
    """Why pages use chart_assets(): plotly.js would otherwise inject <style> elements, refused by style-src 'self'."""
    open_probe(phone_page, "bare")
    assert [v for v in phone_page.evaluate("window.__csp") if v.startswith("style-src-elem")]
    assert phone_page.eval_on_selector(".chart .main-svg", "el => getComputedStyle(el).position") != "absolute"


LAPTOP = {"viewport": {"width": 1366, "height": 768}}
# Per chart: the legend's entries (text and symbol, not the invisible click target), the legend's own
# box, and the mode bar's buttons with everything it could hide (titles, tick labels, notes, marks).
LEGEND_BOXES = """charts => charts.map(chart => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const entries = [...chart.querySelectorAll(".legend .traces")].map(t =>
    [t.querySelector(".legendtext").textContent,
     ...[".legendtext", ".legendpoints, .legendlines, .legendsymbols"].map(s => box(t.querySelector(s)))]);
  return {entries, legend: box(chart.querySelector(".legend .bg")), svg: box(chart.querySelector(".main-svg"))};
})"""
MODE_BAR_BOXES = """chart => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const bar = chart.querySelector(".modebar-container .modebar-group");
  const others = ".g-xtitle, .g-ytitle, .g-y2title, .xtick text, .ytick text, .y2tick text, .annotation, " +
                 ".legend .traces, .textpoint";
  return {bar: bar && box(bar), opacity: bar && getComputedStyle(bar).opacity,
          others: [...chart.querySelectorAll(others)].map(el => [el.textContent, box(el)])};
}"""


def overlap(a: list[float], b: list[float]) -> bool:
    slack = 0.5  # sub-pixel touching is not overlapping
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def inside(a: list[float], b: list[float]) -> bool:
    return a[0] >= b[0] - 0.5 and a[1] >= b[1] - 0.5 and a[2] <= b[2] + 0.5 and a[3] <= b[3] + 0.5


@pytest.fixture(params=["phone", "laptop"])
def sized_page(request, browser, live_server):
    from tests.browser_support import PHONE

    context = browser.new_context(base_url=live_server, **(PHONE if request.param == "phone" else LAPTOP))
    yield context.new_page()
    context.close()


def test_every_legend_entry_is_whole_and_clear_of_the_others(probe, sized_page):
    page = sized_page
    open_probe(page, "strict")
    for chart in page.locator(".chart").evaluate_all(LEGEND_BOXES):
        entries = chart["entries"]
        assert len(entries) >= 4
        for name, text, _ in entries:
            assert inside(text, chart["legend"]) and inside(text, chart["svg"]), f"{name!r} is cut"
        for i, (name, text, symbol) in enumerate(entries):
            for other, other_text, other_symbol in entries[i + 1:]:
                assert not any(overlap(a, b) for a in (text, symbol) for b in (other_text, other_symbol)), \
                    f"{name!r} collides with {other!r}"


def test_the_mode_bar_hides_nothing_and_is_left_off_touch_screens(probe, sized_page):
    page = sized_page
    open_probe(page, "strict")
    charts = page.locator(".chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.hover(position={"x": 60, "y": 120})  # the mode bar shows while the pointer is over the chart
        page.wait_for_timeout(400)  # its fade-in
        found = chart.evaluate(MODE_BAR_BOXES)
        if page.viewport_size["width"] < 400:
            assert found["bar"] is None, "no mode bar on a touch screen: it would always cover the chart"
            continue
        assert found["bar"] and found["opacity"] == "1"
        hidden = [name for name, box in found["others"] if overlap(found["bar"], box)]
        assert hidden == [], f"chart {i}: the mode bar covers {hidden}"
