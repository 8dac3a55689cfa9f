"""The documented screenshot command (docs/screenshots.md) works and writes every picture the README can show."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PICTURES = {  # name -> width in pixels
    "survey-phone.png": 390,
    "therapist-home.png": 1280,
    "therapist-home-phone.png": 390,
    "patient-page.png": 1280,
    "director-overview.png": 1280,
}


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_screenshot_command_writes_every_picture(tmp_path):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not installed")
        pytest.skip(f"{CHROMIUM} not installed")
    documented = (ROOT / "docs" / "screenshots.md").read_text()
    local_db = ROOT / "instance" / "alliance.db"
    before = local_db.stat().st_mtime_ns if local_db.exists() else None
    assert ".venv/bin/python docs/make_screenshots.py" in documented
    # A separate process: this one may already drive a browser, and Playwright allows one per process.
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_screenshots.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name, width in PICTURES.items():
        assert name in documented
        found_width, height = png_size(tmp_path / name)
        assert found_width == width and 300 < height <= 2400, (name, found_width, height)
    # The demo is built in a throw-away database: the developer's own is left alone.
    assert (local_db.stat().st_mtime_ns if local_db.exists() else None) == before
