"""plotly.js and our own files: served by the app at versioned URLs, compressed, cached for a year."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest
from flask import current_app, render_template_string

from dashboards import assets

pytestmark = pytest.mark.usefixtures("assets_app")


def asset_url(name: str) -> str:
    with current_app.test_request_context():
        return assets.asset_url(name)


def test_plotly_is_served_from_the_vendored_partial_bundle_at_a_versioned_url(client):
    url = asset_url("plotly.js")
    assert url == f"/assets/plotly-basic-{assets.plotly_js_version()}.min.js"
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content_type == "text/javascript; charset=utf-8"
    assert response.data == assets.PLOTLY_JS.read_bytes()


def test_the_vendored_bundle_is_the_one_its_readme_names():
    from plotly.offline import get_plotlyjs_version

    vendor = assets.PLOTLY_JS.parent
    readme = (vendor / "README.md").read_text()
    # The tests validate figures with the installed plotly package: its plotly.js must be the same major version.
    assert assets.plotly_js_version().split(".")[0] == get_plotlyjs_version().split(".")[0]
    assert f"plotly.js-basic-dist-min@{assets.plotly_js_version()}" in readme
    assert hashlib.sha256(assets.PLOTLY_JS.read_bytes()).hexdigest() in readme
    assert "MIT License" in (vendor / "plotly.js-LICENSE").read_text()


def test_the_bundle_draws_every_trace_type_the_charts_use(client):
    from dashboards.charts.clinic import ended_by_month_chart
    from dashboards.charts.patient import patient_charts
    from dashboards.clinic_stats import EndedMonth, Rate
    from tests.dashboards.chart_data import HISTORY

    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', assets.PLOTLY_JS.read_text()))
    assert registered == assets.PLOTLY_TRACES
    figures = [*patient_charts(HISTORY).values(),
               ended_by_month_chart([EndedMonth("2024-05", {"completed": 1, "dropped_out": 1}, Rate(1, 2))])]
    used = {trace.get("type", "scatter") for figure in figures for trace in figure["data"]}
    assert used and used <= registered
    gzipped = client.get(asset_url("plotly.js"), headers={"Accept-Encoding": "gzip"}).data
    assert len(gzipped) < 450_000  # the full bundle was 1.4 MB gzipped


def test_gzip_when_accepted_with_cache_headers(client):
    response = client.get(asset_url("plotly.js"), headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(response.data) == assets.PLOTLY_JS.read_bytes()
    assert len(response.data) < len(assets.PLOTLY_JS.read_bytes()) / 2


def test_etag_and_304_per_encoding(client):
    url = asset_url("charts.js")
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # two representations, two tags
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_own_files_are_named_by_their_content(client):
    url = asset_url("dashboards.css")
    assert re.fullmatch(r"/assets/dashboards\.[0-9a-f]{12}\.css", url)
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.content_type == "text/css; charset=utf-8"
    assert response.data == (assets.STATIC_DIR / "dashboards.css").read_bytes()


def test_unknown_or_outdated_names_are_404(client):
    assert client.get("/assets/plotly-0.0.1.min.js").status_code == 404
    assert client.get("/assets/charts.js").status_code == 404  # only the versioned name exists
    assert client.get("/assets/../app.py").status_code == 404


def test_template_helper_gives_the_urls(app):
    with app.test_request_context():
        html = render_template_string(
            "<script src=\"{{ asset_url('plotly.js') }}\"></script><script src=\"{{ asset_url('charts.js') }}\">"
        )
    assert f'src="/assets/plotly-basic-{assets.plotly_js_version()}.min.js"' in html
    assert re.search(r'src="/assets/charts\.[0-9a-f]{12}\.js"', html)


def test_chart_assets_gives_the_csp_safe_head(app):
    with app.test_request_context():
        head = str(render_template_string("{{ chart_assets() }}"))
    version = assets.plotly_js_version()
    assert f'<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" ' \
           f'href="/assets/plotly-{version}.css">' in head
    injected = assets.plotly_injected_style_ids(assets.PLOTLY_JS.read_text())
    assert injected and all(f'<template id="{i}"></template>' in head for i in injected)
    # One script: charts.js, which loads plotly.js (named here) only when a chart is about to be seen.
    assert re.search(rf'<script src="/assets/charts\.[0-9a-f]{{12}}\.js" '
                     rf'data-plotly-src="/assets/plotly-basic-{version}\.min\.js" defer></script>', head)
    assert head.count("<script") == 1 and "<style" not in head


def test_plotly_stylesheet_is_extracted_from_the_bundle(client):
    css = client.get(asset_url("plotly.css"), headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert ".js-plotly-plot .plotly .modebar{" in css
    assert ".plotly-notifier .notifier-note{" in css
    assert css.count("{") > 50 and "X " not in css  # every placeholder selector expanded


def test_unrecognised_bundle_gives_no_rules():
    assert assets.plotly_css("var x = 1;") == ""
