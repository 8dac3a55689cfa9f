"""The worker: APScheduler running the dispatch loop, the planner, the expiry sweep and the
uncertain-row resolver, plus the jobs other parts of the app register with `register_job`
(the clinician side's flag refresh: this package never imports that side).

Jobs are data with stable ids, added with `replace_existing=True`, so adding them again (a
restart, a second call) replaces rather than duplicates them; `max_instances=1` and coalescing
mean a slow run is never overlapped by the next and missed runs collapse into one. Running
several workers is safe: every send is guarded by the outbox row's state in the database, not
by the scheduler.

Production: `flask --app app worker` (its own process, as many as you like).
The laptop demo: `start_in_process(app)` (BackgroundScheduler), once per process and never in
the reloader's watcher process.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.planner import cancel_stale, plan_missing, plan_reminders
from feedback.delivery.resolver import resolve_uncertain
from feedback.delivery.settings import delivery
from feedback.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    id: str
    config_key: str  # the interval can be configured (seconds)
    default_seconds: float
    description: str


JOBS = (
    JobSpec("dispatch", "DELIVERY_DISPATCH_SECONDS", 10, "send due SMS"),
    JobSpec("plan", "DELIVERY_PLAN_SECONDS", 60, "plan missing invitations and due reminders"),
    JobSpec("expire", "DELIVERY_EXPIRE_SECONDS", 300, "cancel queued SMS for answered or expired links"),
    JobSpec("resolve_uncertain", "DELIVERY_RESOLVE_SECONDS", 120, "look up uncertain SMS at the provider"),
)


def register_job(app: Flask, spec: JobSpec, job: Callable[[], None]) -> None:
    """Run `job` (called in an app context) in every worker too, every `spec`'s interval."""
    app.extensions.setdefault("worker_jobs", {})[spec.id] = (spec, job)


def _registered(app: Flask) -> dict[str, tuple[JobSpec, Callable[[], None]]]:
    return app.extensions.get("worker_jobs", {})


class DeliveryJobs:
    """The job functions, bound to one app and one dispatcher (one per process)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            found = delivery()
        self.sender, self.cipher = found.sender, found.cipher
        self.dispatcher = Dispatcher(self.sender, self.cipher)

    def dispatch(self) -> None:
        outcomes = self.dispatcher.run()
        if outcomes.total:
            log.info("dispatch: %s", outcomes)

    def plan(self) -> None:
        planned, reminders = plan_missing(), plan_reminders()
        if planned or reminders:
            log.info("planned %d missing invitation SMS and %d reminders", planned, reminders)

    def expire(self) -> None:
        cancelled = cancel_stale()
        if cancelled:
            log.info("cancelled %d queued SMS (answered, expired or opted out)", cancelled)

    def resolve_uncertain(self) -> None:
        resolved = resolve_uncertain(self.sender, self.cipher)
        if resolved.sent or resolved.not_found:
            log.info("uncertain SMS: %s", resolved)

    def runner(self, job_id: str) -> Callable[[], None]:
        """The job as APScheduler calls it: in an app context, errors logged, never raised."""
        registered = _registered(self.app).get(job_id)
        job = registered[1] if registered else getattr(self, job_id)

        def run() -> None:
            with self.app.app_context():
                try:
                    job()
                except Exception:
                    db.session.rollback()
                    log.exception("worker job %s failed; it runs again at its next interval", job_id)
                finally:
                    db.session.remove()

        run.__name__ = f"worker_{job_id}"
        return run


def add_jobs(scheduler: BaseScheduler, jobs: DeliveryJobs) -> None:
    now = datetime.now(UTC)
    for spec in (*JOBS, *(spec for spec, _ in _registered(jobs.app).values())):
        scheduler.add_job(
            jobs.runner(spec.id),
            "interval",
            seconds=float(jobs.app.config.get(spec.config_key, spec.default_seconds)),
            id=spec.id,
            name=spec.description,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=now,  # start at once, then every interval
        )


def _scheduler_options() -> dict[str, Any]:
    return {"timezone": UTC, "job_defaults": {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}}


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def run_worker(app: Flask) -> None:
    """Run the jobs in this process until SIGTERM or Ctrl+C (the `worker` command).

    The stop signals are blocked before the scheduler's threads start (they inherit the mask)
    and taken here with `sigwait`, on this thread, at a point of its choosing. A handler would
    run wherever the signal lands, possibly inside the scheduler's own locked sections, and
    shutting the scheduler down from there can wait forever on a lock its own thread holds.
    """
    jobs = DeliveryJobs(app)
    scheduler = BackgroundScheduler(**_scheduler_options())
    add_jobs(scheduler, jobs)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    scheduler.start()
    names = [job.id for job in scheduler.get_jobs()]
    log.info("worker %s started: %s", jobs.dispatcher.worker, ", ".join(names))
    signum = signal.sigwait(STOP_SIGNALS)
    log.info("worker stopping (signal %d): finishing the message in hand", signum)
    jobs.dispatcher.stop()  # the dispatch loop hands back the rest of its batch
    scheduler.shutdown(wait=True)  # waits for the running jobs
    log.info("worker %s stopped", jobs.dispatcher.worker)


_in_process: BackgroundScheduler | None = None
_in_process_lock = threading.Lock()


def start_in_process(app: Flask, *, use_reloader: bool = False) -> BackgroundScheduler | None:
    """Run the jobs on a background thread of this process, for the one-command demo.

    Starts once per process. With Werkzeug's reloader two processes run the app: the watcher
    (WERKZEUG_RUN_MAIN unset) only restarts the other, so the jobs start only in the serving
    child (WERKZEUG_RUN_MAIN=true). Returns the scheduler, or None where it does not start.
    """
    global _in_process
    if use_reloader and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    with _in_process_lock:
        if _in_process is None:
            jobs = DeliveryJobs(app)
            scheduler = BackgroundScheduler(**_scheduler_options())
            add_jobs(scheduler, jobs)
            scheduler.start()
            atexit.register(_stop_in_process, scheduler, jobs.dispatcher)
            _in_process = scheduler
            log.info("delivery jobs running in this process (%s)", jobs.dispatcher.worker)
        return _in_process


def _stop_in_process(scheduler: BackgroundScheduler, dispatcher: Dispatcher) -> None:
    dispatcher.stop()
    if scheduler.running:
        scheduler.shutdown(wait=True)
