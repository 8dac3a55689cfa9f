"""What a run of bench/run.py measured, its progress lines, and its Markdown section of RESULTS.md."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.common import machine
from bench.load import CONNECTIONS, Summary
from bench.server import WORKERS


@dataclass
class Endpoint:
    name: str
    path: str
    target: str = "—"
    check: Callable[[Summary, Summary], bool | None] = lambda s, b: None
    summary: Summary | None = None
    note: str = ""


@dataclass
class Measured:
    database: str = ""
    load: str = ""  # the machine's load average before the HTTP runs (other processes add noise)
    endpoints: list[Endpoint] = field(default_factory=list)
    baseline: Summary | None = None
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # measure, value, target, met

    def add(self, measure: str, value: str, target: str = "—", met: bool | None = None) -> None:
        self.rows.append((measure, value, target, _yes(met)))


def _yes(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def step(message: str) -> None:
    """A progress line on stderr: a full run takes minutes, and stdout is the report."""
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def report(out: Measured, quick: bool, command: str) -> list[str]:
    base = out.baseline
    head = [
        f"## The stack's ceiling and the app on {out.database}{' (quick, small clinic)' if quick else ''}",
        "",
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}, {machine()}.",
    ]
    rows = ["", "| measure | value | target | met? |", "|---|---|---|---|"]
    rows += [f"| {m} | {v} | {t} | {y} |" for m, v, t, y in out.rows]
    if base is None:  # a partial run without HTTP (--only recompute)
        return [*head, f"Load average (1/5/15 min) before the timings: {out.load}; anything above ~0 means other "
                "processes shared the two cores.", *rows]
    lines = [
        *head,
        f"gunicorn {WORKERS} sync workers (`gunicorn -w {WORKERS} -b 127.0.0.1:PORT --timeout 300 --access-logfile - "
        f"'app:create_app()'`, APP_ENV=production), wrk 1 thread × {CONNECTIONS} connections on the same machine; "
        "medians of the timed runs after a warm-up; latencies in ms. Ratios are to the baseline of the same run. "
        f"Load average (1/5/15 min) before the HTTP runs: {out.load}; anything above ~0 means other processes "
        "shared the two cores.",
        "",
        "| endpoint | req/s | × baseline | p50 | p95 | p99 | errors | target | met? |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
        f"| Baseline `/healthz` (constant JSON) | {base.per_second:,.0f} | 1.00 | {base.p50_ms:.1f} | "
        f"{base.p95_ms:.1f} | {base.p99_ms:.1f} | {base.errors} | — | — |",
    ]
    for e in out.endpoints:
        s = e.summary
        if s is None:
            lines.append(f"| {e.name} | {e.note} | | | | | | {e.target} | — |")
            continue
        met = e.check(s, base) and s.errors == 0  # a run with errors measured something else
        lines.append(
            f"| {e.name} | {s.per_second:,.0f} | {s.per_second / base.per_second:.2f} | {s.p50_ms:.1f} | "
            f"{s.p95_ms:.1f} ({s.p95_ms / base.p95_ms:.1f}×) | {s.p99_ms:.1f} | {s.errors} | {e.target} | {_yes(met)} |"
        )
    return lines + rows
