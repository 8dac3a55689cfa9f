"""The worker: jobs as data with stable ids, once per process in the demo, and the real
`flask --app app worker` command sending, then stopping cleanly on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from feedback.delivery import worker
from tests.delivery.bulk import make_due_messages, make_due_now, statuses
from tests.delivery.dispatch_process import app_config as child_config
from tests.delivery.processes import ROOT, created_links, wait_for

JOB_IDS = ["dispatch", "plan", "expire", "resolve_uncertain"]
# with the clinician side's jobs (flag refresh, changed treatments, safety alerts, response rates)
ALL_JOB_IDS = [*JOB_IDS, "refresh_flags", "evaluate_changed", "safety_alerts", "response_rates"]


def test_the_jobs_have_stable_ids():
    assert [spec.id for spec in worker.JOBS] == JOB_IDS


def test_adding_the_jobs_again_replaces_them(app):
    app.config["DELIVERY_DISPATCH_SECONDS"] = 5
    scheduler = BackgroundScheduler()
    scheduler.start(paused=True)
    jobs = worker.DeliveryJobs(app)

    worker.add_jobs(scheduler, jobs)
    worker.add_jobs(scheduler, jobs)  # a restart, or a second call

    found = scheduler.get_jobs()
    scheduler.shutdown()
    assert sorted(job.id for job in found) == sorted(ALL_JOB_IDS)  # each once
    assert all(job.coalesce and job.max_instances == 1 for job in found)
    assert next(job for job in found if job.id == "dispatch").trigger.interval.total_seconds() == 5


def test_a_failing_job_is_logged_and_does_not_stop_the_worker(app, monkeypatch, caplog):
    jobs = worker.DeliveryJobs(app)
    monkeypatch.setattr(jobs, "expire", lambda: 1 / 0)

    with caplog.at_level(logging.ERROR, logger="feedback.delivery.worker"):
        jobs.runner("expire")()

    assert "worker job expire failed" in caplog.text


@pytest.fixture
def no_scheduler_yet(monkeypatch):
    monkeypatch.setattr(worker, "_in_process", None)
    yield
    if worker._in_process is not None:
        worker._in_process.shutdown(wait=True)


def test_the_in_process_scheduler_starts_once_per_process(app, no_scheduler_yet, monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)

    first = worker.start_in_process(app)
    second = worker.start_in_process(app)

    assert first is second and first.running
    assert sorted(job.id for job in first.get_jobs()) == sorted(ALL_JOB_IDS)


def test_the_reloaders_watcher_process_runs_no_jobs(app, no_scheduler_yet, monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert worker.start_in_process(app, use_reloader=True) is None

    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")  # the serving child
    assert worker.start_in_process(app, use_reloader=True).running


@pytest.fixture
def app_config(fake_twilio):
    config = child_config("unused", fake_twilio.url, 30)
    del config["SQLALCHEMY_DATABASE_URI"]
    return config


@pytest.mark.slow
def test_the_worker_command_sends_and_stops_on_sigterm(app, database_url, fake_twilio):
    ids = make_due_messages(5)
    make_due_now(ids)
    factory = f"app:create_app({child_config(database_url, fake_twilio.url, 30)!r})"
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", factory, "worker"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: set(statuses().values()) == {"sent"}, timeout=30, what="the worker to send")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output  # stopped by its own handler, not killed by the signal
    assert sum(created_links(fake_twilio).values()) == 5
