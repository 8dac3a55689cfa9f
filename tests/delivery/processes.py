"""Helpers for tests that run real processes next to the test: waiting, reading their report,
and counting what the fake Twilio was asked to create."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"https://clinic\.example\.org/s/[A-Za-z0-9_-]{43}")


def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, f"dispatcher failed ({process.returncode}):\n{out}\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


def created_links(fake: FakeTwilio) -> Counter[str]:
    """How many times Twilio was asked to create a message carrying each link."""
    return Counter(LINK.search(r.form.get("Body", "")).group(0) for r in fake.requests if r.method == "POST")
