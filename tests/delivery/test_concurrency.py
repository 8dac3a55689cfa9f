"""Exactly once with real processes: three dispatchers sharing one database and one fake Twilio,
and a dispatcher killed with SIGKILL mid-send then replaced. Runs on SQLite (a file in WAL mode)
or on PostgreSQL when TEST_DATABASE_URL is set (CI does both)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.delivery.bulk import links_by_row, make_due_messages, make_due_now, statuses
from tests.delivery.dispatch_process import app_config as child_config
from tests.delivery.processes import ROOT, created_links, finish, wait_for
from tests.twilio_behaviours import Answer, Hang

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config(fake_twilio):
    config = child_config("unused", fake_twilio.url, 30)  # the same settings as the child processes
    del config["SQLALCHEMY_DATABASE_URI"]  # the test's own database
    return config


@pytest.fixture
def start_dispatcher(database_url, fake_twilio, tmp_path):
    """Start a dispatcher process; returns (process, path of its ready file)."""
    started: list[subprocess.Popen] = []

    def start(claim_ttl: float = 30, timeout: float = 90) -> tuple[subprocess.Popen, Path]:
        ready = tmp_path / f"ready-{len(started)}"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.delivery.dispatch_process",
                "--database",
                database_url,
                "--twilio",
                fake_twilio.url,
                "--ready",
                str(ready),
                "--claim-ttl",
                str(claim_ttl),
                "--timeout",
                str(timeout),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process, ready

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_three_dispatchers_send_300_messages_exactly_once(app, fake_twilio, start_dispatcher):
    ids = make_due_messages(300)
    processes = [start_dispatcher() for _ in range(3)]
    wait_for(lambda: all(ready.exists() for _, ready in processes), what="the dispatchers to start")

    make_due_now(ids)  # all 300 become due at once, with three dispatchers polling
    reports = [finish(process) for process, _ in processes]

    links = links_by_row()
    assert created_links(fake_twilio) == Counter({links[i]: 1 for i in ids})
    assert len(fake_twilio.messages) == 300
    assert set(statuses().values()) == {"sent"}
    assert sum(r["sent"] for r in reports) == 300
    assert all(r["sent"] > 0 for r in reports), f"not every dispatcher took part: {reports}"


def test_a_dispatcher_killed_mid_send_loses_nothing_and_sends_nothing_twice(app, fake_twilio, start_dispatcher):
    ids = make_due_messages(40)
    make_due_now(ids)
    posts = itertools.count(1)
    doomed: list[subprocess.Popen] = []

    def kill_during_the_eleventh_send(request):
        # Runs in the fake as the request arrives, so the dispatcher is certainly mid-call: it
        # committed `sending`, and Twilio (the fake) takes the message but never answers.
        if request.method == "POST" and next(posts) == 11:
            os.kill(doomed[0].pid, signal.SIGKILL)
            return Hang(seconds=60)
        return Answer()

    fake_twilio.strategy = kill_during_the_eleventh_send
    doomed.append(start_dispatcher(claim_ttl=3)[0])
    assert doomed[0].wait(timeout=60) == -signal.SIGKILL
    left_behind = Counter(statuses().values())
    assert left_behind["sending"] == 1  # killed during the provider call
    assert left_behind["claimed"] >= 1  # and holding rows it had not sent yet
    assert len(fake_twilio.messages) == 11

    fake_twilio.strategy = None
    successor, _ = start_dispatcher(claim_ttl=3)
    report = finish(successor)

    links = links_by_row()
    assert created_links(fake_twilio) == Counter({links[i]: 1 for i in ids})
    assert set(statuses().values()) == {"sent"}
    assert report["sent"] == 40 - 11  # the in-flight one was found at Twilio, not sent again
