"""The worker's flag refresh spread over several processes, each recording the treatments it
evaluated, so a run can show that the row claims (`FOR UPDATE SKIP LOCKED` in
`dashboards.risk.refresh.pick_stale`) gave no treatment to two processes.

    python -m bench.refresh_workers --database URL --hours-ahead 2 --out FILE   # one process

`run_refresh(url, processes, hours_ahead)` starts the processes together and collects what they
evaluated. Each process runs `refresh_stale` (what `flask --app app worker`'s refresh job runs)
at "now + hours_ahead" with the job's one-hour staleness, so 2 re-evaluates everything evaluated
more than an hour before that, and 0 evaluates the treatments never evaluated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.common import ROOT

STALE_AFTER = timedelta(hours=1)  # FLAGS_REFRESH_SECONDS' default: the hourly refresh


@dataclass
class Refreshed:
    seconds: float  # wall clock, first start to last finish
    evaluated: list[list[int]]  # per process, the patient ids it evaluated

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.evaluated)

    @property
    def twice(self) -> list[int]:
        """Treatments evaluated more than once (by one process or several): must be none."""
        return [pid for pid, n in Counter(pid for ids in self.evaluated for pid in ids).items() if n > 1]


def run_refresh(database_url: str, processes: int, hours_ahead: float, timeout: float = 3600) -> Refreshed:
    with tempfile.TemporaryDirectory(prefix="refresh-") as tmp:
        go = Path(tmp) / "go"
        outs = [Path(tmp) / f"out-{n}.json" for n in range(processes)]
        started = [
            subprocess.Popen(  # noqa: S603 - our own module, our own arguments
                [sys.executable, "-m", "bench.refresh_workers", "--database", database_url,
                 "--hours-ahead", str(hours_ahead), "--out", str(out), "--go", str(go)],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            for out in outs
        ]
        while not all(out.with_suffix(".ready").exists() for out in outs):  # every app built
            if any(p.poll() is not None for p in started):
                raise RuntimeError("a refresh process exited before starting")
            time.sleep(0.1)
        begun = time.perf_counter()
        go.touch()
        for process in started:
            if process.wait(timeout=timeout) != 0:
                raise RuntimeError(f"a refresh process failed ({process.returncode})")
        seconds = time.perf_counter() - begun
        return Refreshed(seconds, [json.loads(out.read_text()) for out in outs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--hours-ahead", type=float, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--go", type=Path, required=True, help="start when this file exists")
    args = parser.parse_args()

    from app import create_app
    from dashboards.risk import refresh
    from feedback.extensions import db
    from feedback.models import utcnow

    evaluated: list[int] = []
    evaluate = refresh.recompute_patients

    def recording(ids: list[int], **options: object) -> object:
        done = evaluate(ids, **options)  # raises on failure: then nothing is recorded
        evaluated.extend(ids)
        return done

    # Instrumentation, not a change of behaviour: refresh_stale evaluates through this name.
    refresh.recompute_patients = recording  # type: ignore[assignment]
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": args.database})
    with app.app_context():
        db.session.execute(db.select(1))
        db.session.rollback()
        args.out.with_suffix(".ready").touch()
        while not args.go.exists():
            time.sleep(0.02)
        refresh.refresh_stale(utcnow() + timedelta(hours=args.hours_ahead), older_than=STALE_AFTER)
        db.session.remove()
        db.engine.dispose()
    args.out.write_text(json.dumps(evaluated))


if __name__ == "__main__":
    main()
