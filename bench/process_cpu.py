"""Where a survey request's time goes: under gunicorn and wrk, as `bench/run.py` drives them, the CPU
each group of processes spends per request (read from /proc), and how long the cores sat idle.

    .venv/bin/python bench/process_cpu.py --db postgresql
    .venv/bin/python bench/process_cpu.py --db sqlite
    .venv/bin/python bench/process_cpu.py --db postgresql --workers 3     # more sync workers than cores
    .venv/bin/python bench/process_cpu.py --db postgresql --no-commit-flush

The same gunicorn, wrk script and survey pool builder as `bench/run.py` (its pool's patients,
without its large clinic beside them). For each of `/healthz`, the survey page and its answer:
requests per second, p50 and p95, and per request the CPU of the gunicorn workers, of PostgreSQL's
processes (backends, the WAL writer, autovacuum, those that ended during the run too), of wrk, and
of nothing at all (the cores' idle time, summed). Each is a median of `--runs` runs. Prints a
Markdown table; writes nothing (bench/RESULTS.md quotes it by hand).

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
from datetime import datetime
from itertools import islice
from pathlib import Path
from statistics import median

if __package__ in (None, ""):  # run as a script: bench/process_cpu.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from bench.clinic import build_survey_pool, settle
from bench.common import (
    PLANNER_SETTINGS,
    POSTGRES_URL,
    ROOT,
    machine,
    production_app,
    scratch_postgres,
    tune_postgres,
)
from bench.endpoints import POST_CSRF_MARKER, answer_links, answers_body, link_form_tokens
from bench.load import SURVEY, Run, ensure_wrk, wrk
from bench.report import step
from bench.run import SIZES
from bench.server import WORKERS, Gunicorn
from feedback.extensions import db

TICK = os.sysconf("SC_CLK_TCK")
POOL_PATIENTS = SIZES["full"]["pool_patients"]
GET_LINKS = 200
ANSWERS_PER_SECOND = 1500  # more open links than a POST run can use
WARMUP_SECONDS = 2


@dataclass(frozen=True)
class Spent:
    """One wrk run and what each group of processes spent on it, in ms per request."""

    run: Run
    gunicorn: float
    postgres: float
    wrk: float
    idle: float


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command's name (state first), or None for an ended process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu_ticks(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])  # utime, stime


def _process_ticks(pids: list[int]) -> int:
    return sum(_cpu_ticks(f) for f in map(_stat, pids) if f)


def _postgres_ticks() -> int:
    """The CPU of every PostgreSQL process on the machine (the bench's database is the only busy
    one): the live ones', and the postmaster's ended children's (a backend or an autovacuum worker
    that ended during the run), read afresh each time."""
    pids = [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit() and _comm(e) == "postgres"]
    stats = {pid: f for pid, f in zip(pids, map(_stat, pids), strict=True) if f}
    postmasters = [f for f in stats.values() if int(f[1]) not in stats]  # whose parent is no postgres
    if not postmasters:
        raise RuntimeError("no PostgreSQL process is visible in /proc: its CPU cannot be read here")
    live = sum(map(_cpu_ticks, stats.values()))
    return live + sum(int(f[13]) + int(f[14]) for f in postmasters)  # cutime, cstime


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


def _idle_ticks() -> int:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()
    return int(fields[4]) + int(fields[5])  # idle, iowait; all cores


def _children_cpu() -> float:
    """Seconds of CPU of this process's ended children: wrk, whose runs are waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(server: Gunicorn, one_run: Callable[[], Run], postgres: bool) -> Spent:
    workers = server.workers()

    def reading() -> tuple[int, int, float, int]:
        return _process_ticks(workers), _postgres_ticks() if postgres else 0, _children_cpu(), _idle_ticks()

    before = reading()
    run = one_run()
    after = reading()
    if run.errors:  # fast refusals would pass for a fast app
        raise RuntimeError(f"{run.errors} requests failed (socket errors or status >= 400)")
    per_request = 1000 / run.requests
    return Spent(
        run,
        gunicorn=(after[0] - before[0]) / TICK * per_request,
        postgres=(after[1] - before[1]) / TICK * per_request,
        wrk=(after[2] - before[2]) * per_request,
        idle=(after[3] - before[3]) / TICK * per_request,
    )


def row(name: str, spent: list[Spent], baseline: float, postgres: bool) -> str:
    def mid(value: Callable[[Spent], float]) -> float:
        return median(value(s) for s in spent)

    rate = mid(lambda s: s.run.per_second)
    database = f"{mid(lambda s: s.postgres):.2f}" if postgres else "—"
    return (f"| {name} | {rate:,.0f} | {rate / baseline:.2f} | {mid(lambda s: s.run.p50_ms):.1f} | "
            f"{mid(lambda s: s.run.p95_ms):.1f} | {mid(lambda s: s.gunicorn):.2f} | {database} | "
            f"{mid(lambda s: s.wrk):.2f} | {mid(lambda s: s.idle):.2f} |")


def bench(kind: str, workers: int, runs: int, seconds: float, flush: bool, tmp: Path) -> list[str]:
    postgres = kind == "postgresql"
    drop = None
    if postgres:
        url, drop = scratch_postgres(POSTGRES_URL, "process_cpu")
    else:
        url = f"sqlite:///{tmp}/bench.db"
    try:
        if postgres:
            tune_postgres(url, {**PLANNER_SETTINGS, **({} if flush else {"synchronous_commit": "off"})})
        app, env = production_app(url)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            answers = ANSWERS_PER_SECOND * (WARMUP_SECONDS + runs * seconds)
            step(f"a survey pool of {POOL_PATIENTS} patients: {GET_LINKS} links to open, {answers:,.0f} to answer")
            per_patient = int((GET_LINKS + answers) / POOL_PATIENTS) + 1
            links = build_survey_pool("Bench survey pool", patients=POOL_PATIENTS, open_per_patient=per_patient).tokens
            settle()
            csrf = link_form_tokens(app, links)
            (tmp / "answers.txt").write_text(answers_body(POST_CSRF_MARKER))
            db.session.remove()
            db.engine.dispose()
        (tmp / "get.txt").write_text("\n".join(links[:GET_LINKS]) + "\n")
        unused = iter(links[GET_LINKS:])
        with Gunicorn(env, tmp / "gunicorn.log", workers=workers) as server:
            base = server.url

            def post_run(run_seconds: float) -> Run:
                fresh = islice(unused, int(ANSWERS_PER_SECOND * run_seconds))
                return answer_links(base, {link: csrf[link] for link in fresh}, tmp, run_seconds)

            endpoints: dict[str, Callable[[float], Run]] = {
                "`/healthz`": lambda s: wrk(base + "/healthz", seconds=s),
                "Survey page GET": lambda s: wrk(base, seconds=s, script=SURVEY, args=[str(tmp / "get.txt"), "GET"]),
                "Survey POST": post_run,
            }
            spent: dict[str, list[Spent]] = {}
            for name, one_run in endpoints.items():
                step(f"{name}: {runs} runs of {seconds:g} s")
                one_run(WARMUP_SECONDS)  # connections made, pages cached
                spent[name] = [measured(server, lambda r=one_run: r(seconds), postgres) for _ in range(runs)]
        baseline = median(s.run.per_second for s in spent["`/healthz`"])
        database = "PostgreSQL" + ("" if flush else ", synchronous_commit off") if postgres else "SQLite"
        return [
            f"`python bench/process_cpu.py` on {datetime.now():%Y-%m-%d %H:%M}, {machine()}.",
            f"{database}, gunicorn {workers} sync workers, wrk 1 thread × 4 connections; medians of {runs} runs "
            f"of {seconds:g} s; CPU and idle time in ms per request",
            "",
            "| request | req/s | × baseline | p50 | p95 | gunicorn | PostgreSQL | wrk | cores idle |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *(row(name, found, baseline, postgres) for name, found in spent.items()),
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
