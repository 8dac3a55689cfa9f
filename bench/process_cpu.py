"""Where a survey request's time goes: under gunicorn and wrk, as `bench/run.py` drives them, the CPU
each group of processes spends per request (read from /proc), and how long the cores sat idle.

    .venv/bin/python bench/process_cpu.py --db postgresql
    .venv/bin/python bench/process_cpu.py --db sqlite
    .venv/bin/python bench/process_cpu.py --db postgresql --workers 3     # more sync workers than cores
    .venv/bin/python bench/process_cpu.py --db postgresql --no-commit-flush

For each of `/healthz`, the survey page and its answer: requests per second, p50 and p95, and per
request the CPU of the gunicorn workers, of PostgreSQL's processes (every one: backends, the WAL
writer, autovacuum), of wrk, and of nothing at all (the cores' idle time, summed). Each is a median
of `--runs` runs. Prints a Markdown table; writes nothing (bench/RESULTS.md quotes it by hand).

`--no-commit-flush` is an experiment, never a setting: the scratch database gets
`synchronous_commit = off`, so a commit no longer waits for its WAL to reach the disk. An answer
acknowledged that way can be lost in a crash, which the app must never do; the run only shows
what that wait costs.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from statistics import median

if __package__ in (None, ""):  # run as a script: bench/process_cpu.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from bench.clinic import build_survey_pool, settle
from bench.common import PLANNER_SETTINGS, POSTGRES_URL, ROOT, production_app, scratch_postgres, tune_postgres
from bench.endpoints import POST_CSRF_MARKER, answers_body, link_form_tokens
from bench.load import SURVEY, Run, ensure_wrk, wrk
from bench.report import step
from bench.server import WORKERS, Gunicorn
from feedback.extensions import db

TICK = os.sysconf("SC_CLK_TCK")
POOL_PATIENTS = 600
ANSWERS_PER_SECOND = 1500  # more open links than a POST run can use


@dataclass(frozen=True)
class Spent:
    """One wrk run and what each group of processes spent on it, in ms per request."""

    run: Run
    gunicorn: float
    postgres: float
    wrk: float
    idle: float


def _process_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _idle_ticks() -> int:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()
    return int(fields[4]) + int(fields[5])  # idle, iowait; all cores


def _postgres_pids() -> list[int]:
    """Every PostgreSQL process on the machine: the bench's database is the only busy one."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(server: Gunicorn, one_run: Callable[[], Run]) -> Spent:
    workers, postgres = server.workers(), _postgres_pids()
    before = (_process_ticks(workers), _process_ticks(postgres), _children_cpu(), _idle_ticks())
    run = one_run()
    after = (_process_ticks(workers), _process_ticks(postgres), _children_cpu(), _idle_ticks())
    per_request = 1000 / run.requests
    return Spent(
        run,
        gunicorn=(after[0] - before[0]) / TICK * per_request,
        postgres=(after[1] - before[1]) / TICK * per_request,
        wrk=(after[2] - before[2]) * per_request,
        idle=(after[3] - before[3]) / TICK * per_request,
    )


def row(name: str, spent: list[Spent], baseline: float) -> str:
    def mid(value: Callable[[Spent], float]) -> float:
        return median(value(s) for s in spent)

    rate = mid(lambda s: s.run.per_second)
    return (f"| {name} | {rate:,.0f} | {rate / baseline:.2f} | {mid(lambda s: s.run.p50_ms):.1f} | "
            f"{mid(lambda s: s.run.p95_ms):.1f} | {mid(lambda s: s.gunicorn):.2f} | {mid(lambda s: s.postgres):.2f} | "
            f"{mid(lambda s: s.wrk):.2f} | {mid(lambda s: s.idle):.2f} |")


def bench(kind: str, workers: int, runs: int, seconds: float, flush: bool, tmp: Path) -> list[str]:
    drop = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
    else:
        url, drop = scratch_postgres(POSTGRES_URL, "process_cpu")
        tune_postgres(url, {**PLANNER_SETTINGS, **({} if flush else {"synchronous_commit": "off"})})
    try:
        app, env = production_app(url)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            step(f"a survey pool of {POOL_PATIENTS} patients")
            per_patient = int(ANSWERS_PER_SECOND * seconds * (runs + 1) / POOL_PATIENTS) + 1
            links = build_survey_pool("Bench survey pool", patients=POOL_PATIENTS, open_per_patient=per_patient).tokens
            settle()
            csrf = link_form_tokens(app, links)
            (tmp / "answers.txt").write_text(answers_body(POST_CSRF_MARKER))
            db.session.remove()
            db.engine.dispose()
        (tmp / "get.txt").write_text("\n".join(links[:200]) + "\n")
        unused = iter(links[200:])

        def post_run(run_seconds: float) -> Run:
            lines = [f"{link} {csrf[link]}" for link in islice(unused, int(ANSWERS_PER_SECOND * run_seconds))]
            (tmp / "post.txt").write_text("\n".join(lines) + "\n")
            args = [str(tmp / "post.txt"), "POST", str(tmp / "answers.txt"), POST_CSRF_MARKER]
            run = wrk(base, seconds=run_seconds, script=SURVEY, args=args)
            if run.requests > len(lines):  # past the last, the script posts to answered links
                raise RuntimeError(f"the survey pool ran dry: {run.requests} POSTs, {len(lines)} open links")
            return run

        with Gunicorn(env, tmp / "gunicorn.log", workers=workers) as server:
            base = server.url
            endpoints: dict[str, Callable[[float], Run]] = {
                "`/healthz`": lambda s: wrk(base + "/healthz", seconds=s),
                "Survey page GET": lambda s: wrk(base, seconds=s, script=SURVEY, args=[str(tmp / "get.txt"), "GET"]),
                "Survey POST": post_run,
            }
            spent: dict[str, list[Spent]] = {}
            for name, one_run in endpoints.items():
                step(f"{name}: {runs} runs of {seconds:g} s")
                one_run(2)  # warm-up: connections made, pages cached
                spent[name] = [measured(server, lambda r=one_run: r(seconds)) for _ in range(runs)]
        baseline = median(s.run.per_second for s in spent["`/healthz`"])
        database = "SQLite" if kind == "sqlite" else "PostgreSQL" + ("" if flush else ", synchronous_commit off")
        return [
            f"{database}, gunicorn {workers} sync workers, wrk 1 thread × 4 connections; medians of {runs} runs "
            f"of {seconds:g} s; CPU and idle time in ms per request",
            "",
            "| request | req/s | × baseline | p50 | p95 | gunicorn | PostgreSQL | wrk | cores idle |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *(row(name, found, baseline) for name, found in spent.items()),
        ]
    finally:
        if drop:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn sync workers (production: {WORKERS})")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--no-commit-flush", action="store_true",
                        help="PostgreSQL: synchronous_commit off, to show what the commit's WAL flush costs")
    args = parser.parse_args()
    if args.no_commit_flush and args.db != "postgresql":
        parser.error("--no-commit-flush is a PostgreSQL setting")
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        lines = bench(args.db, args.workers, args.runs, args.seconds, not args.no_commit_flush, Path(tmp))
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
