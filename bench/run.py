"""The app against the stack's own ceiling: a large clinic, gunicorn as in production, wrk.

    .venv/bin/python bench/run.py                    # SQLite and PostgreSQL, full size (~10 min each)
    .venv/bin/python bench/run.py --db sqlite --quick    # a small clinic: checks the harness in a minute

For each database: builds a clinic with the synthetic-cohort generator (50 therapists, 2,000
patients, 60,000 sessions), a second one of 500 patients (the export's memory at two sizes) and a
pool of open survey links; times the flag recomputes; starts gunicorn with two sync workers and
the production settings on loopback; drives each endpoint with wrk (medians of several runs) next
to the baseline `/healthz` in the same run; streams the CSV export while watching the worker's
peak memory; runs the delivery bench. Writes its section of bench/RESULTS.md (`--no-write` only
prints). An endpoint that answers 404 is reported as not available yet.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

if __package__ in (None, ""):  # run as a script: bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from app import create_app
from bench import delivery as delivery_bench
from bench.clinic import BuiltClinic, build_clinic, build_survey_pool, settle
from bench.common import POSTGRES_URL, ROOT, machine, scratch_postgres, tune_postgres, write_section
from bench.cookies import clinician_cookie, survey_cookie
from bench.load import CONNECTIONS, SURVEY, Run, Summary, ensure_wrk, probe, wrk
from bench.server import WORKERS, Gunicorn
from dashboards.risk.operations import recompute_clinic, recompute_patients
from dashboards.risk.refresh import refresh_stale
from feedback import tokens
from feedback.extensions import db
from feedback.links import session_instruments
from feedback.models import Invitation, Patient, utcnow

SIZES = {
    "full": {"therapists": 50, "patients": 2000, "small": 500, "pool_patients": 600, "open_per_patient": 20},
    "quick": {"therapists": 5, "patients": 200, "small": 50, "pool_patients": 60, "open_per_patient": 40},
}
TIMINGS = {"full": {"runs": 3, "seconds": 10, "warmup": 2}, "quick": {"runs": 2, "seconds": 3, "warmup": 1}}
ONE_PATIENT_SAMPLES = 50
GET_TOKENS = 200


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
    export_growth: list[tuple[int, float]] = field(default_factory=list)  # patients, MiB

    def add(self, measure: str, value: str, target: str = "—", met: bool | None = None) -> None:
        self.rows.append((measure, value, target, _yes(met)))


def _yes(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def step(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# -- the data -----------------------------------------------------------------------------------


@dataclass
class Data:
    main: BuiltClinic
    small: BuiltClinic
    pool_clinic_id: int
    pool: dict[str, str]  # token hash -> token, the open survey links
    patient_code: str
    caseload: int  # patients of the therapist whose pages are measured


def build(size: dict[str, int], out: Measured) -> Data:
    step(f"building the clinics ({size['patients']} + {size['small']} patients, survey pool)")
    main = build_clinic("Bench Clinic", therapists=size["therapists"], patients=size["patients"])
    out.add(
        f"Build the clinic: {len(main.therapist_ids)} therapists, {main.patients:,} patients, "
        f"{main.sessions:,} sessions, {main.responses:,} responses (Core inserts)",
        f"{main.seconds:.1f} s",
    )
    small = build_clinic("Bench Clinic small", therapists=max(1, size["small"] // 40), patients=size["small"], seed=99)
    pool = build_survey_pool(
        "Bench survey pool", patients=size["pool_patients"], open_per_patient=size["open_per_patient"]
    )
    settle()
    therapist = main.therapist_ids[0]
    code = db.session.scalar(select(Patient.code).where(Patient.therapist_id == therapist).order_by(Patient.code))
    caseload = db.session.scalar(select(func.count()).where(Patient.therapist_id == therapist))
    return Data(main, small, pool.clinic_id, {tokens.hash_token(t): t for t in pool.tokens}, code, caseload)


def measure_flags(data: Data, out: Measured) -> None:
    step("recomputing flags")
    recompute_clinic(data.small.clinic_id)  # first evaluations of the other clinics, not timed
    recompute_clinic(data.pool_clinic_id)
    db.session.remove()
    n = data.main.patients
    cold = timed(lambda: recompute_clinic(data.main.clinic_id))
    db.session.remove()
    warm = timed(lambda: recompute_clinic(data.main.clinic_id))
    db.session.remove()
    rewalk = timed(lambda: recompute_clinic(data.main.clinic_id, full_history=True))
    db.session.remove()
    # The worker's hourly refresh two hours on: every active treatment of every clinic is stale.
    started = time.perf_counter()
    refreshed = refresh_stale(utcnow() + timedelta(hours=2), older_than=timedelta(hours=1))
    refresh = time.perf_counter() - started
    db.session.remove()
    ids = db.session.scalars(select(Patient.id).where(Patient.clinic_id == data.main.clinic_id)).all()
    settle()  # the recomputes rewrote every patient's flags: let PostgreSQL catch up, as autovacuum would
    out.add(
        f"Full recompute, {n} patients, first evaluation (`recompute_clinic`, whole histories)",
        f"{cold:.1f} s", "≤ 10 s", cold <= 10,
    )
    out.add(f"Full recompute, {n} patients, routine (`recompute_clinic`)", f"{warm:.1f} s", "≤ 10 s", warm <= 10)
    out.add(
        f"Full recompute, {n} patients, re-walking every history (`flask recompute-flags --full-history`)",
        f"{rewalk:.1f} s", "—", None,
    )
    out.add(
        f"Worker's flag refresh (`refresh_stale`), every active treatment stale: {refreshed:,} in all clinics",
        f"{refresh:.1f} s ({refresh / max(refreshed, 1) * 1000:.1f} ms a treatment)", "—", None,
    )
    samples = sorted(timed(lambda pid=pid: recompute_patients([pid])) * 1000 for pid in ids[:ONE_PATIENT_SAMPLES])
    p50, p95 = samples[len(samples) // 2], samples[int(len(samples) * 0.95) - 1]
    out.add(
        f"One patient (30 sessions) after one response, {len(samples)} patients",
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {samples[-1]:.1f} ms",
        "≤ 20 ms",
        p95 <= 20,
    )


def open_pool_tokens(pool: dict[str, str]) -> list[str]:
    hashes = set(
        db.session.scalars(
            select(Invitation.token_hash).where(Invitation.completed_at.is_(None), Invitation.token_hash.in_(pool))
        )
    )
    db.session.rollback()
    return [token for digest, token in pool.items() if digest in hashes]


def answers_body(csrf_token: str) -> str:
    """A valid patient form: every item answered, no rupture."""
    fields: list[tuple[str, str]] = [("csrf_token", csrf_token), ("started", str(int(time.time()) - 60))]
    for item in session_instruments()["patient"].items:
        if item.type == "likert":
            fields.append((item.id, "4" if not item.id.startswith(("held", "went", "frus")) else "1"))
        elif item.type == "yes_no":
            fields.append((item.id, "no"))
        elif item.type == "text":
            fields.append((item.id, "Thanks, helpful today."))
    return urlencode(fields)


# -- over HTTP ----------------------------------------------------------------------------------


def summarise(timing: dict[str, int], one_run: Callable[[float], Run]) -> Summary:
    one_run(timing["warmup"])
    return Summary(tuple(one_run(timing["seconds"]) for _ in range(timing["runs"])))


def survey_weight(base: str, token: str, out: Measured) -> None:
    status, body, headers = probe(f"{base}/s/{token}")
    html = body.decode("utf-8")
    css = 0
    for href in re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', html) + re.findall(
        r'<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"', html
    ):
        css += len(probe(base + href)[1])
    scripts = re.findall(r'<script\b[^>]*src="([^"]+)"', html)
    js = sum(len(probe(base + src)[1]) for src in scripts if src.startswith("/"))
    host = urlsplit(base).netloc
    links = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', html)
    others = sorted({urlsplit(u).netloc for u in links} - {host})
    kib = (len(body) + css) / 1024
    out.add(
        "Survey page weight (HTML + CSS, uncompressed)",
        f"{len(body) / 1024:.1f} + {css / 1024:.1f} = {kib:.1f} KB (status {status})",
        "≤ 30 KB",
        kib <= 30,
    )
    plain_form = bool(re.search(r'<form method="post"', html)) and 'type="submit"' in html
    out.add(
        "Survey page without JavaScript (plain form POST; the POST bench sends exactly that)",
        f"{len(scripts)} optional script(s), {js / 1024:.1f} KB; plain HTML form: {'yes' if plain_form else 'no'}",
        "no JavaScript needed",
        plain_form,
    )
    out.add("Survey page: requests to other hosts", f"{len(others)} {' '.join(others)}", "none", not others)
    if "Content-Security-Policy" in headers:
        out.add("Survey page: Content-Security-Policy", headers["Content-Security-Policy"][:120])


def within(ratio: float, p95_times: float) -> Callable[[Summary, Summary], bool]:
    def check(s: Summary, base: Summary) -> bool:
        return s.per_second >= ratio * base.per_second and s.p95_ms <= p95_times * base.p95_ms

    return check


def under(ms: float) -> Callable[[Summary, Summary], bool]:
    return lambda s, base: s.p95_ms <= ms


def measure_http(app: Flask, env: dict[str, str], data: Data, timing: dict[str, int], log: Path, out: Measured) -> None:
    pool = open_pool_tokens(data.pool)
    get_tokens, post_pool = pool[:GET_TOKENS], {tokens.hash_token(t): t for t in pool[GET_TOKENS:]}
    work = log.parent
    (work / "get-tokens.txt").write_text("\n".join(get_tokens) + "\n")
    cookie, csrf = survey_cookie(app)
    (work / "answers.txt").write_text(answers_body(csrf))
    n = data.main.patients
    with Gunicorn(env, log) as server:
        base = server.url
        step(f"gunicorn up at {base}; wrk runs")
        out.load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        survey_weight(base, get_tokens[0], out)
        out.baseline = summarise(timing, lambda s: wrk(base + "/healthz", seconds=s))

        survey_get = Endpoint(
            "Survey page GET `/s/<token>`", "", "≥ 40% of baseline req/s; p95 ≤ 2.5× baseline", within(0.40, 2.5)
        )
        survey_get.summary = summarise(
            timing, lambda s: wrk(base, seconds=s, script=SURVEY, args=[str(work / "get-tokens.txt"), "GET"])
        )

        def post_run(seconds: float) -> Run:
            time.sleep(1)  # let the previous run's last requests finish: their tokens are used up
            (work / "post-tokens.txt").write_text("\n".join(open_pool_tokens(post_pool)) + "\n")
            args = [str(work / "post-tokens.txt"), "POST", str(work / "answers.txt")]
            return wrk(base, seconds=seconds, script=SURVEY, args=args, headers=[f"Cookie: {cookie}"])

        survey_post = Endpoint(
            "Survey POST `/s/<token>` (fresh token each)",
            "",
            "≥ 25% of baseline req/s; p95 ≤ 2.5× baseline",
            within(0.25, 2.5),
        )
        survey_post.summary = summarise(timing, post_run)
        out.endpoints += [survey_get, survey_post]

        therapist, director = data.main.therapist_ids[0], data.main.director_id
        pages = [
            (Endpoint(f"Therapist home `/` ({data.caseload} patients)", "/", "p95 ≤ 150 ms", under(150)), therapist),
            (Endpoint("Patient page `/patients/<code>` (30 sessions)", f"/patients/{data.patient_code}"), therapist),
            (
                Endpoint(
                    "Patient chart data `/patients/<code>/charts.json`", f"/patients/{data.patient_code}/charts.json"
                ),
                therapist,
            ),
            (Endpoint(f"Director overview `/clinic` ({n} patients)", "/clinic", "p95 ≤ 500 ms", under(500)), director),
        ]
        for endpoint, user in pages:
            header = f"Cookie: {clinician_cookie(app, user)}"
            status, _, answer_headers = probe(base + endpoint.path, {"Cookie": header.split(": ", 1)[1]})
            if status == 404:
                endpoint.note = "not available yet (404)"
            elif status != 200:
                endpoint.note = f"answered {status} {answer_headers.get('Location', '')}"
            else:
                endpoint.summary = summarise(
                    timing, lambda s, p=endpoint.path, h=header: wrk(base + p, seconds=s, headers=[h])
                )
            out.endpoints.append(endpoint)
    for clinic in (data.small, data.main):
        measure_export(app, env, clinic, log, out)


def measure_export(app: Flask, env: dict[str, str], clinic: BuiltClinic, log: Path, out: Measured) -> None:
    """Stream the clinic's CSV from a fresh server; the serving worker's peak RSS before and after."""
    step(f"export of {clinic.patients} patients")
    with Gunicorn(env, log) as server:
        cookie = clinician_cookie(app, clinic.director_id)
        for path in ("/healthz", "/clinic"):  # warm both workers the same way
            wrk(server.url + path, seconds=2, headers=[f"Cookie: {cookie}"])
        before = server.peak_rss_kib()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        started = time.perf_counter()
        connection.request("GET", "/clinic/export.csv", headers={"Cookie": cookie})
        answer = connection.getresponse()
        first = size = lines = 0.0
        while chunk := answer.read(65536):
            first = first or time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
        connection.close()
        after = server.peak_rss_kib()
    label = f"CSV export, {clinic.patients} patients"
    if answer.status == 404:
        out.add(label, "not available yet (404)")
        return
    streamed = answer.getheader("Content-Length") is None
    grew = max(after[pid] - before.get(pid, after[pid]) for pid in after)
    out.add(
        label,
        f"status {answer.status}, {size / 1e6:.1f} MB, {lines:,.0f} lines in {elapsed:.1f} s "
        f"(first byte {first * 1000:.0f} ms){'' if streamed else ', NOT streamed (Content-Length)'}; "
        f"worker peak RSS {max(after.values()) / 1024:.0f} MiB, +{grew / 1024:.1f} MiB during the export",
        "streamed; memory: see below",
    )
    out.export_growth.append((clinic.patients, grew / 1024))


# -- a database's whole run ---------------------------------------------------------------------


def bench_database(kind: str, quick: bool, tmp: Path) -> Measured:
    size, timing = SIZES["quick" if quick else "full"], TIMINGS["quick" if quick else "full"]
    out = Measured()
    drop, tuned = None, ""
    if kind == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
    else:
        url, drop = scratch_postgres(POSTGRES_URL, "run")
        tuned = tune_postgres(url)
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PHONE_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": url,
    }
    try:
        app = create_app({"APP_ENV": "production", "SQLALCHEMY_DATABASE_URI": url, **env})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            version = db.session.execute(
                text("show server_version" if kind == "postgresql" else "select sqlite_version()")
            ).scalar()
            out.database = f"{'PostgreSQL' if kind == 'postgresql' else 'SQLite'} {str(version).split(' ')[0]}"
            if kind == "postgresql":
                out.database += f" ({tuned}, as docs/production.md advises)"
            data = build(size, out)
            measure_flags(data, out)
            measure_http(app, env, data, timing, tmp / "gunicorn.log", out)
            db.session.remove()
            db.engine.dispose()
        if len(out.export_growth) == 2:
            (small_n, small_mib), (big_n, big_mib) = out.export_growth
            flat = big_mib <= small_mib + 10
            out.add(
                "CSV export memory: growth during the export at two clinic sizes",
                f"+{small_mib:.1f} MiB ({small_n} patients) vs +{big_mib:.1f} MiB ({big_n} patients)",
                "does not grow with size",
                flat,
            )
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
    finally:
        if drop:
            drop()
    return out


def report(out: Measured, quick: bool, command: str) -> list[str]:
    base = out.baseline
    assert base is not None
    lines = [
        f"## The stack's ceiling and the app on {out.database}{' (quick, small clinic)' if quick else ''}",
        "",
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}, {machine()}.",
        f"gunicorn {WORKERS} sync workers (`gunicorn -w {WORKERS} -b 127.0.0.1:PORT --access-logfile - "
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
        met = e.check(s, base)
        lines.append(
            f"| {e.name} | {s.per_second:,.0f} | {s.per_second / base.per_second:.2f} | {s.p50_ms:.1f} | "
            f"{s.p95_ms:.1f} ({s.p95_ms / base.p95_ms:.1f}×) | {s.p99_ms:.1f} | {s.errors} | {e.target} | {_yes(met)} |"
        )
    lines += ["", "| measure | value | target | met? |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {t} | {y} |" for m, v, t, y in out.rows]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="a small clinic and short runs, to check the harness")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    ensure_wrk()
    command = (
        "python bench/run.py" + (f" --db {args.db}" if args.db != "both" else "") + (" --quick" if args.quick else "")
    )
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            out = bench_database(kind, args.quick, Path(tmp))
        lines = report(
            out, args.quick, command.replace("--db both", "") + ("" if args.db != "both" else f" (the {kind} part)")
        )
        print("\n".join(lines), flush=True)
        if not args.no_write:
            write_section(f"stack-{kind}{'-quick' if args.quick else ''}", lines)


if __name__ == "__main__":
    main()
