"""Static assets of the dashboards, served by the app itself (no CDN) at versioned URLs.

- `plotly.js`: plotly.js's "basic" partial bundle (scatter, bar, pie: the trace types the charts use),
  vendored in `static/vendor/` (see its README), at `/assets/plotly-basic-<version>.min.js`: 0.4 MB
  gzipped where the full bundle inside the plotly package is 1.4 MB;
- `plotly.css`: plotly.js's own style rules, extracted from that bundle, so pages can run under the CSP
  `style-src 'self'` (see below);
- `charts.js`, `dashboards.css`, `favicon.ico`, `kiosk.js`, `kiosk.css`: ours, from `dashboards/static/`, at
  `/assets/<name>.<content hash>.<ext>`; the icon also at `/favicon.ico`, where browsers look for it
  unasked (see `favicon` below).

Every URL names one exact content, so responses carry `Cache-Control: public, max-age=31536000,
immutable`, a strong ETag (304 on a match), and a gzip body compressed once per process when the
client accepts it. The endpoint is called `static` so the security headers treat it as a static file.

Strict CSP: at load time plotly.js inserts <style> elements, which `style-src 'self'` refuses (the
charts still draw, but without the mode bar's and cursors' styling, and each page reports a CSP
violation). It inserts two: its global rules, skipped when an element with id
`plotly.js-style-global` and class `no-inline-styles` exists; and maplibre's map styles, skipped when
an element with that style's id exists. So a page with charts puts `{{ chart_assets() }}` in its
<head>: plotly's rules as a file, an inert <template> holding the map style's id (the app draws no
maps), then charts.js, deferred, which loads plotly.js (named by its data-plotly-src) only once a
chart comes near the screen. No 'unsafe-inline' is needed.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, abort, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

bp = Blueprint("dashboards_assets", __name__, url_prefix="/assets")

STATIC_DIR = Path(__file__).resolve().parent / "static"
PLOTLY_JS = STATIC_DIR / "vendor" / "plotly-basic.min.js"
#: The trace types the vendored bundle registers; the charts may draw no other (tests/dashboards/test_assets.py).
PLOTLY_TRACES = frozenset({"scatter", "bar", "pie"})
CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".ico": "image/vnd.microsoft.icon",
}
#: /favicon.ico keeps its address when the icon changes, so it is not cached for good like the rest.
FAVICON_CACHE_CONTROL = "public, max-age=604800"


@dataclass(frozen=True)
class Asset:
    filename: str  # versioned, as it appears in the URL
    content_type: str
    body: bytes

    @functools.cached_property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:32]

    @functools.cached_property
    def gzipped(self) -> bytes:
        # mtime=0: the same bytes in every process, so the gzip ETag holds across workers.
        return gzip.compress(self.body, compresslevel=9, mtime=0)


def _own_file(name: str) -> Asset:
    body = (STATIC_DIR / name).read_bytes()
    stem, ext = name.rsplit(".", 1)
    digest = hashlib.sha256(body).hexdigest()[:12]
    return Asset(f"{stem}.{digest}.{ext}", CONTENT_TYPES["." + ext], body)


def _plotly_js() -> Asset:
    return Asset(f"plotly-basic-{plotly_js_version()}.min.js", CONTENT_TYPES[".js"], PLOTLY_JS.read_bytes())


def _plotly_css() -> Asset:
    css, _ = _plotly_styles()
    if not css:
        log.warning("could not extract plotly.js's style rules; charts need style-src 'unsafe-inline'")
    return Asset(f"plotly-{plotly_js_version()}.css", CONTENT_TYPES[".css"], css.encode())


@functools.cache
def _plotly_styles() -> tuple[str, tuple[str, ...]]:
    """(plotly.js's global rules as CSS, ids of the other <style> elements it would inject)."""
    bundle = PLOTLY_JS.read_text(encoding="utf-8")
    return plotly_css(bundle), tuple(plotly_injected_style_ids(bundle))


#: Logical name (what templates ask for) -> how to build the asset.
SOURCES: dict[str, Callable[[], Asset]] = {
    "plotly.js": _plotly_js,
    "plotly.css": _plotly_css,
    "charts.js": lambda: _own_file("charts.js"),
    "dashboards.css": lambda: _own_file("dashboards.css"),
    "favicon.ico": lambda: _own_file("favicon.ico"),
    "kiosk.js": lambda: _own_file("kiosk.js"),
    "kiosk.css": lambda: _own_file("kiosk.css"),
}


@functools.cache
def asset(name: str) -> Asset:
    """The asset with this logical name, built once per process (files are read at first use)."""
    return SOURCES[name]()


@functools.cache
def _by_filename() -> dict[str, Asset]:
    return {a.filename: a for a in map(asset, SOURCES)}


@functools.cache
def plotly_js_version() -> str:
    """The vendored bundle's plotly.js version, from its banner ("plotly.js (basic - minified) v4.1.1")."""
    with PLOTLY_JS.open(encoding="utf-8") as bundle:
        found = re.search(r"plotly\.js \([^)]*\) v(\d+\.\d+\.\d+)", bundle.read(200))
    if found is None:
        raise RuntimeError(f"no plotly.js version in the banner of {PLOTLY_JS}")
    return found.group(1)


# plotly.js keeps its global rules in one object literal, selectors written with X for
# ".js-plotly-plot .plotly" and Y for ".plotly-notifier", then adds them in a loop (src/css/).
_RULES_OBJECT = re.compile(r'=\{("X,X div":.*?)\};for\(')
_RULE = re.compile(r'"([^"]+)":(?:\'([^\']*)\'|"([^"]*)")')


def plotly_css(bundle: str) -> str:
    """plotly.js's global style rules as a stylesheet, or "" if the bundle's layout is not recognised."""
    found = _RULES_OBJECT.search(bundle)
    if not found:
        return ""
    lines = []
    for selector, single, double in _RULE.findall(found.group(1)):
        full = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        lines.append(f"{full}{{{single or double}}}")
    return "\n".join(lines) + "\n"


# Other <style> elements the bundle creates unless an element with their id exists (maplibre's).
_INJECTED_STYLE = re.compile(r'document\.getElementById\("([^"]+)"\)\)\{var \w+=document\.createElement\("style"\)')


def plotly_injected_style_ids(bundle: str) -> list[str]:
    return _INJECTED_STYLE.findall(bundle)


@bp.app_template_global()
def chart_assets() -> Markup:
    """Everything a page with charts needs in its <head>, CSP-safe (see the module docstring)."""
    _, injected = _plotly_styles()
    tags = [
        Markup('<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" href="{}">').format(
            asset_url("plotly.css")
        ),
        # An element with the id of a <style> plotly.js would inject makes it skip that one.
        *(Markup('<template id="{}"></template>').format(style_id) for style_id in injected),
        # plotly.js is 0.4 MB: charts.js fetches it when the first chart is about to be seen.
        Markup('<script src="{}" data-plotly-src="{}" defer></script>').format(
            asset_url("charts.js"), asset_url("plotly.js")),
    ]
    return Markup("\n").join(tags)


@bp.app_template_global()
def asset_url(name: str) -> str:
    """URL of an asset by logical name: `asset_url('plotly.js')` -> /assets/plotly-basic-4.1.1.min.js."""
    return url_for("dashboards_assets.static", filename=asset(name).filename)


@bp.get("/<path:filename>", endpoint="static")
def serve(filename: str) -> Response:
    found = _by_filename().get(filename)
    if found is None:
        abort(404)
    return _send(found, CACHE_CONTROL)


# Pages link the versioned icon (base.html); browsers still ask for /favicon.ico on their own (JSON
# and CSV opened in a tab, other tools). Public: this blueprint has no sign-in guard. Its endpoint is
# `static` too, so the security headers let it be cached.
favicon_bp = Blueprint("favicon", __name__)


@favicon_bp.get("/favicon.ico", endpoint="static")
def favicon() -> Response:
    return _send(asset("favicon.ico"), FAVICON_CACHE_CONTROL)


def _send(found: Asset, cache_control: str) -> Response:
    compressed = request.accept_encodings["gzip"] > 0
    response = Response(found.gzipped if compressed else found.body, content_type=found.content_type)
    if compressed:
        response.content_encoding = "gzip"
    # Each encoding is its own representation, with its own strong ETag.
    response.set_etag(found.etag + ("-gz" if compressed else ""))
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(favicon_bp)
