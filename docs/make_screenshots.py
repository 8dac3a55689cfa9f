"""Screenshots for the README, from the demo clinic, in Debian's Chromium: see docs/screenshots.md.

    .venv/bin/python docs/make_screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

Builds the demo clinic (`dashboards.demo.seed`) in a throw-away SQLite database, serves the app on
a free loopback port, signs in through the real sign-in form (development mode with DEV_SKIP_2FA,
as `flask --app app demo` does) and writes survey-phone.png, therapist-home.png,
therapist-home-phone.png, patient-page.png and director-overview.png. Touches nothing else:
not instance/alliance.db, not the network.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run", "--hide-scrollbars"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
#: The demo patient shown on the patient page: an unresolved rupture, the case the product is for.
PATIENT = "NS-103"
CHART_WAIT_MS = 15_000
#: Long pages are cut here, so a README picture stays readable (the top of a page is what it is about).
MAX_HEIGHT = 2400


@contextmanager
def demo_server(folder: Path) -> Iterator[tuple[str, object]]:
    """The app on a fresh demo database, served on 127.0.0.1; yields (base URL, seeded demo)."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from dashboards.demo import clinic as demo

    app = create_app({
        "APP_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
        "DEV_SKIP_2FA": True,  # honoured in development only: password-only sign-in, as in the demo
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seeded = demo.seed()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, seeded
    finally:
        server.shutdown()
        thread.join(timeout=5)


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")


def settle(page) -> None:
    """Wait until every chart not in a folded section is drawn (or has given up and shows its message).

    Charts are drawn as they are scrolled to, so each is scrolled to first; folded sections (closed
    on a phone) stay closed, as a user first sees them."""
    charts = page.locator("[data-chart-src] >> visible=true")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
    if charts.count():
        page.wait_for_function(
            "n => document.querySelectorAll('.chart--drawn, .chart--failed').length >= n", arg=charts.count(),
            timeout=CHART_WAIT_MS)
        page.evaluate("window.scrollTo(0, 0)")
        if page.locator(".chart--drawn").count():
            page.wait_for_selector(".chart--drawn .main-svg")
    page.evaluate("document.fonts.ready")


def shoot(page, path: str, out: Path, name: str) -> Path:
    response = page.goto(path)
    if response is None or not response.ok:
        raise SystemExit(f"{path} answered {response.status if response else 'nothing'}: no {name}")
    settle(page)
    target = out / name
    width, height = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)}
    page.screenshot(path=str(target), full_page=True, clip=clip, animations="disabled")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return target


def make_screenshots(out: Path, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from dashboards.demo import clinic as demo

    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    director = demo.DIRECTOR[0]
    therapist = demo.THERAPISTS[demo.PATIENTS[2][2]][0]  # who treats NS-103
    written = []
    with tempfile.TemporaryDirectory() as folder, demo_server(Path(folder)) as (base, seeded), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)

        def page_for(options: dict, email: str | None = None):
            context = browser.new_context(base_url=base, **options)
            page = context.new_page()
            if email:
                sign_in(page, email, demo.PASSWORD)
            return page

        survey = urlsplit(seeded.survey_link).path
        written.append(shoot(page_for(PHONE), survey, out, "survey-phone.png"))
        page = page_for(DESKTOP, therapist)
        written.append(shoot(page, "/", out, "therapist-home.png"))
        written.append(shoot(page, f"/patients/{PATIENT}", out, "patient-page.png"))
        written.append(shoot(page_for(PHONE, therapist), "/", out, "therapist-home-phone.png"))
        written.append(shoot(page_for(DESKTOP, director), "/clinic", out, "director-overview.png"))
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNG files")
    parser.add_argument("--chromium", default=CHROMIUM, help="Chromium executable (Debian: apt-get install chromium)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # the app's modules, when run as a script from anywhere
    if not Path(args.chromium).exists():
        print(f"{args.chromium} not found: apt-get install chromium, or pass --chromium PATH", file=sys.stderr)
        return 2
    make_screenshots(args.out.resolve(), args.chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
