"""The site icon: at /favicon.ico for whoever asks, linked from every page at its versioned address,
and loaded by a real browser under the app's Content-Security-Policy."""

from __future__ import annotations

import re
import struct

import pytest

from dashboards import assets
from feedback.extensions import db
from tests.auth.conftest import sign_in_as  # noqa: F401  (fixture)

LINK = re.compile(r'<link rel="icon" href="(/assets/favicon\.[0-9a-f]{12}\.ico)"')


def icon_sizes(body: bytes) -> list[int]:
    """The square sizes an ICO file holds (each image PNG-encoded), or a failed assertion."""
    reserved, kind, count = struct.unpack_from("<HHH", body)
    assert (reserved, kind) == (0, 1) and count > 0, "not an ICO file"
    sizes = []
    for i in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", body, 6 + 16 * i)
        assert width == height and body[offset : offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(body)
        sizes.append(width or 256)
    return sizes


def assert_icon(response) -> None:
    assert response.status_code == 200
    assert response.content_type.startswith("image/")
    assert response.data and response.data == (assets.STATIC_DIR / "favicon.ico").read_bytes()


def test_anonymous_visitors_get_the_icon_cached_but_not_for_good(client):
    response = client.get("/favicon.ico", headers={"Accept-Encoding": "identity"})
    assert_icon(response)
    assert response.headers["Cache-Control"] == "public, max-age=604800"  # not no-store, not immutable
    assert icon_sizes(response.data) == [16, 32]


def test_a_survey_visitor_gets_the_icon_and_the_page_links_it(client, make_session):
    page = client.get(f"/s/{make_session().links['patient'].token}")
    assert page.status_code == 200 and LINK.search(page.text)
    assert_icon(client.get("/favicon.ico", headers={"Accept-Encoding": "identity"}))


def test_signed_in_clinicians_get_it_too(client, make_user, sign_in_as):  # noqa: F811
    sign_in_as(client, make_user("therapist"))
    assert_icon(client.get("/favicon.ico", headers={"Accept-Encoding": "identity"}))


def test_pages_link_the_versioned_icon_cached_for_good(client):
    url = LINK.search(client.get("/login").text).group(1)
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert_icon(response)
    assert response.headers["Cache-Control"] == assets.CACHE_CONTROL


def test_the_policy_allows_icons_from_this_site(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src")).split()
    assert "'self'" in img_src  # browsers load favicons under img-src


@pytest.mark.browser
def test_the_icon_loads_in_a_browser_under_the_policy(browser, live_server, make_session):
    token = make_session().links["patient"].token
    db.session.remove()
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    for path in ("/login", f"/s/{token}"):
        page.goto(path)
        # Headless Chromium fetches no favicon itself: load the linked one as an image, under the page's policy.
        width = page.evaluate("""() => new Promise(done => {
            const image = new Image();
            image.onload = () => done(image.naturalWidth);
            image.onerror = () => done(0);
            image.src = document.querySelector('link[rel="icon"]').href;
        })""")
        assert width in (16, 32), f"the icon did not decode on {path}"
    context.close()
    assert refused == []
