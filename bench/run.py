"""The app against the stack's own ceiling: a large clinic, gunicorn as in production, wrk.

    .venv/bin/python bench/run.py                    # SQLite and PostgreSQL, full size (~10 min each)
    .venv/bin/python bench/run.py --db sqlite --quick    # a small clinic: checks the harness in a minute
    .venv/bin/python bench/run.py --only survey --no-write   # the survey rows and their baseline only
    .venv/bin/python bench/run.py --only recompute           # the flag recompute rows only
    .venv/bin/python bench/run.py --only director            # the director overview and its baseline only

For each database: builds a clinic with the synthetic-cohort generator (50 therapists, 2,000
patients, 60,000 sessions), a second one of 500 patients (the export's memory at two sizes) and a
pool of open survey links; times the flag recomputes; starts gunicorn with two sync workers and
the production settings on loopback; drives each endpoint with wrk (medians of several runs) next
to the baseline `/healthz` in the same run; streams the CSV export while watching the worker's
peak memory; runs the delivery bench. Writes its section of bench/RESULTS.md (`--no-write` only
prints). An endpoint that answers 404 is reported as not available yet.

The steps live in their own modules: `dataset` (the clinics), `recompute` (flag timings),
`endpoints` (HTTP), `export_memory`, `report` (what was measured, as Markdown).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import text

from bench import delivery as delivery_bench
from bench.common import POSTGRES_URL, ROOT, production_app, scratch_postgres, tune_postgres, write_section
from bench.dataset import build
from bench.director import measure_director
from bench.endpoints import measure_http
from bench.export_memory import measure_exports
from bench.load import ensure_wrk
from bench.recompute import measure_flags
from bench.report import Measured, report, step
from feedback.extensions import db

SIZES = {
    "full": {"therapists": 50, "patients": 2000, "small": 500, "pool_patients": 600, "open_per_patient": 80},
    "quick": {"therapists": 5, "patients": 200, "small": 50, "pool_patients": 60, "open_per_patient": 250},
}
TIMINGS = {"full": {"runs": 3, "seconds": 10, "warmup": 2}, "quick": {"runs": 2, "seconds": 3, "warmup": 1}}


def bench_database(kind: str, quick: bool, tmp: Path, only: str = "") -> Measured:
    size, timing = SIZES["quick" if quick else "full"], TIMINGS["quick" if quick else "full"]
    out = Measured()
    drop, tuned = None, ""
    if kind == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
    else:
        url, drop = scratch_postgres(POSTGRES_URL, "run")
    try:
        if kind == "postgresql":
            tuned = tune_postgres(url)
        app, env = production_app(url)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            version = db.session.execute(
                text("show server_version" if kind == "postgresql" else "select sqlite_version()")
            ).scalar()
            out.database = f"{'PostgreSQL' if kind == 'postgresql' else 'SQLite'} {str(version).split(' ')[0]}"
            if kind == "postgresql":
                out.database += f" ({tuned}, as docs/production.md advises)"
            data = build(size, out)
            if only in ("", "recompute"):
                out.load = out.load or " / ".join(f"{x:.1f}" for x in os.getloadavg())
                measure_flags(data, out)
            log = tmp / "gunicorn.log"
            if only in ("", "survey"):
                measure_http(app, env, data, timing, log, out, survey_only=only == "survey")
            elif only == "director":
                measure_director(app, env, data, timing, log, out)
            if not only:
                measure_exports(app, env, (data.small, data.main), log, out)
            db.session.remove()
            db.engine.dispose()
        if not only:
            measure_delivery(kind, quick, tmp, out)
    finally:
        if drop:
            drop()
    return out


def measure_delivery(kind: str, quick: bool, tmp: Path, out: Measured) -> None:
    """bench.delivery on the same database kind, in a database of its own."""
    messages = 300 if quick else 2000
    step("delivery bench")
    if kind == "sqlite":
        result = delivery_bench.run(f"sqlite:///{tmp}/delivery.db", messages)
    else:
        durl, ddrop = scratch_postgres(POSTGRES_URL, "delivery")
        try:
            result = delivery_bench.run(durl, messages)
        finally:
            ddrop()
    out.add(f"Delivery worker to the fake Twilio ({messages} SMS)", f"{result['per_minute']:,.0f} messages/minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="a small clinic and short runs, to check the harness")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--only", choices=("survey", "recompute", "director"), default="",
                        help="only the survey rows, the recompute rows or the director's overview, with the "
                             "baseline where HTTP is measured (a partial run: implies --no-write)")
    args = parser.parse_args()
    args.no_write = args.no_write or bool(args.only)
    ensure_wrk()
    command = (
        "python bench/run.py" + (f" --db {args.db}" if args.db != "both" else "") + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else "")
    )
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            out = bench_database(kind, args.quick, Path(tmp), args.only)
        lines = report(
            out, args.quick, command.replace("--db both", "") + ("" if args.db != "both" else f" (the {kind} part)")
        )
        print("\n".join(lines), flush=True)
        if not args.no_write:
            write_section(f"stack-{kind}{'-quick' if args.quick else ''}", lines)


if __name__ == "__main__":
    main()
