"""Real-browser fixtures (loaded once for the whole suite by tests/conftest.py): Debian's chromium driven by Playwright, against the app served on
loopback by a real HTTP server in a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Flags for a sealed machine: no background traffic, no sandbox as root, no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 810, "height": 1080}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never silently skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def open_page(browser, live_server: str, options: dict) -> Iterator[object]:
    context = browser.new_context(base_url=live_server, **options)
    page = context.new_page()
    # Nothing may leave loopback: any request to another host fails the test.
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:")) else outside.append(r.url))
    yield page
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


@pytest.fixture
def phone_page(browser, live_server) -> Iterator[object]:
    yield from open_page(browser, live_server, PHONE)


@pytest.fixture(params=["phone", "tablet"])
def handheld_page(request, browser, live_server) -> Iterator[object]:
    """A patient's page on a phone, and in a second run on a tablet (the clinic's, or their own)."""
    yield from open_page(browser, live_server, PHONE if request.param == "phone" else TABLET)


@pytest.fixture
def desktop_page(browser, live_server) -> Iterator[object]:
    yield from open_page(browser, live_server, DESKTOP)


def assert_accessible(page, name: str) -> None:
    """axe-core on the current page: no serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    if bad:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"axe-{name}.png"), full_page=True)
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
    assert not bad, f"axe found serious/critical violations on {name}: {summary}"


def draw_every_chart(page, expected: int) -> None:
    """Brings each chart (a div.chart, drawn by charts.js when it comes near the screen) to the screen
    in turn and waits until it is drawn (the first fetches plotly.js: 30 s, as the waits this replaced).
    The scroll is the DOM's own scrollIntoView: Playwright's scroll_into_view_if_needed first waits
    for two animation frames with the element unmoved, and once in CI (a busy two-core machine) that
    wait never came back in 30 s after the chart had drawn, Playwright logging no "not stable" (so,
    as far as its log shows, no frame ran; not reproduced here in 12 runs under load)."""
    charts = page.locator(".chart")
    expect(charts).to_have_count(expected)
    for chart in charts.all():
        chart.evaluate("chart => chart.scrollIntoView({block: 'center'})")
        expect(chart).to_contain_class("chart--drawn", timeout=30_000)
