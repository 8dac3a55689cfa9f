"""What bench/organisation.py measured, and its Markdown section of RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.common import machine
from bench.load import CONNECTIONS, Summary
from bench.refresh_workers import Refreshed
from bench.report import Measured, _yes
from bench.server import WORKERS

PAGE_GROWTH = 1.5  # issue 21: p95 at the organisation's size within 1.5× of the reference clinic's
HOUR = 3600.0
WIDE_MARGIN = 0.25  # a project choice: the hourly refresh should need at most a quarter of its hour
FLAT_MIB = 10  # as bench/export_memory: growth within 10 MiB counts as not growing with size


@dataclass
class Organisation:
    out: Measured
    clinics: int = 0
    patients: int = 0
    sessions: int = 0
    responses: int = 0
    reference_build_seconds: float = 0
    build_seconds: float = 0
    analyze_seconds: float = 0
    run_seconds: float = 0
    load_before: str = ""
    load_after: str = ""
    home_before: Summary | None = None
    page_before: Summary | None = None
    home_after: Summary | None = None
    page_after: Summary | None = None
    first: Refreshed | None = None
    hourly: Refreshed | None = None
    plans: list[tuple[str, int, list[str]]] = field(default_factory=list)
    export_growth: dict[str, list[tuple[int, float | None]]] = field(default_factory=dict)
    delivery: dict[str, object] = field(default_factory=dict)


def _page_row(name: str, before: Summary, after: Summary) -> str:
    ratio = after.p95_ms / before.p95_ms
    return (f"| {name} | {before.per_second:,.0f} | {before.p95_ms:.1f} | {after.per_second:,.0f} | "
            f"{after.p95_ms:.1f} | {ratio:.2f}× | ≤ {PAGE_GROWTH}× | {_yes(ratio <= PAGE_GROWTH)} |")


def _refresh_row(label: str, done: Refreshed, hourly: bool) -> str:
    per = ", ".join(f"{len(ids):,}" for ids in done.evaluated)
    clean = not done.twice and all(done.evaluated)
    target = f"no treatment twice, each process takes part{'; ≤ 25% of the hour' if hourly else ''}"
    met = clean and (done.seconds <= WIDE_MARGIN * HOUR if hourly else True)
    return (f"| {label} | {done.total:,} treatments in {done.seconds:,.0f} s ({done.seconds / HOUR:.0%} of an hour; "
            f"{done.total / done.seconds:,.0f} a second); per process {per}; evaluated twice: {len(done.twice)} "
            f"| {target} | {_yes(met)} |")


def report(org: Organisation, command: str, quick: bool) -> list[str]:
    lines = [
        f"## An organisation of many clinics on one PostgreSQL{' (quick, small)' if quick else ''}",
        "",
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}, {machine()}; {org.out.database}. The whole run took "
        f"{org.run_seconds / 60:.0f} min. {org.clinics} clinics, {org.patients:,} patients, {org.sessions:,} sessions, "
        f"{org.responses:,} responses; the reference clinic (2,000 patients in the full run) built in "
        f"{org.reference_build_seconds:.0f} s, the other clinics in {org.build_seconds:.0f} s (Core inserts), "
        f"then `VACUUM ANALYZE` {org.analyze_seconds:.0f} s.",
        "",
        f"Pages: gunicorn {WORKERS} sync workers as in production, wrk 1 thread × {CONNECTIONS} connections, medians "
        "of the timed runs; the same therapist and patient of the reference clinic, first when it is the only "
        f"clinic, then inside the organisation. Load average (1/5/15 min) before each: {org.load_before} and "
        f"{org.load_after} (other processes shared the two cores when above ~0).",
        "",
        "| page | req/s alone | p95 ms alone | req/s in the organisation | p95 ms in the organisation | "
        "p95 ratio | target | met? |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    if org.home_before and org.home_after and org.page_before and org.page_after:
        lines.append(_page_row("Therapist home `/` (40 patients)", org.home_before, org.home_after))
        lines.append(_page_row("Patient page `/patients/<code>` (30 sessions)", org.page_before, org.page_after))
    lines += ["", "| measure | value | target | met? |", "|---|---|---|---|"]
    if org.first:
        lines.append(_refresh_row("First evaluation of the other clinics (2 refresh processes)", org.first, False))
    if org.hourly:
        lines.append(_refresh_row("Hourly refresh, every active treatment stale (2 refresh processes)",
                                  org.hourly, True))
    lines += [f"| {m} | {v} | {t} | {y} |" for m, v, t, y in org.out.rows]
    for kind, growth in org.export_growth.items():
        if len(growth) == 2 and all(mib is not None for _, mib in growth):
            (small_n, small_mib), (big_n, big_mib) = growth
            flat = big_mib <= small_mib + FLAT_MIB  # type: ignore[operator]
            lines.append(f"| {kind} export memory at two clinic sizes | +{small_mib:.1f} MiB ({small_n} patients) "
                         f"vs +{big_mib:.1f} MiB ({big_n} patients) | does not grow with size | {_yes(flat)} |")
    if org.delivery:
        d = org.delivery
        lines.append(
            f"| Delivery: {d['processes']} dispatcher processes, {d['messages']:,} due SMS to the fake Twilio | "
            f"{d['seconds']:.0f} s, {d['per_minute']:,.0f} messages a minute; requests at the fake: "
            f"{d['at_fake']:,}; sent per process {', '.join(f'{n:,}' for n in d['sent_by'])} "  # type: ignore[attr-defined]
            f"| each sent exactly once | {_yes(bool(d['exactly_once']))} |")
    lines += ["", "Hot queries with the real statistics (`bench/plans.py`, the planner's own choice; "
              "`tests/risk/test_query_plans.py` checks the same with sequential scans off on a small organisation):",
              "", "| path | statements | tables read whole (growing with the organisation) | met? |",
              "|---|---:|---|---|"]
    for name, count, whole in org.plans:
        shown = "<br>".join(w.replace("|", "\\|") for w in whole[:4]) or "none: every table by an index"
        lines.append(f"| {name} | {count} | {shown} | {_yes(not whole)} |")
    return lines
