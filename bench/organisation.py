"""An organisation of many clinics on one PostgreSQL: 40 clinics, 50,000 patients, 1.5 million
sessions, and what still holds at that size (issue 21).

    .venv/bin/python bench/organisation.py             # full size, PostgreSQL; about an hour on 2 cores
    .venv/bin/python bench/organisation.py --quick     # 3 small clinics: checks the harness in minutes

One run, in one scratch database next to `postgresql://postgres@127.0.0.1:5432/test`:

1. the reference clinic alone (2,000 patients, 50 therapists, as bench/run.py builds it), its flags
   evaluated; its therapist home and patient page driven with wrk through gunicorn (bench/endpoints);
2. the other clinics built around it (Core inserts, bench/clinic.py), the treatments never evaluated
   evaluated by 2 refresh processes (bench/refresh_workers: no treatment twice);
3. the same two pages again, same therapist, same patient: p95 against step 1's;
4. the hot queries' plans with the real statistics (bench/plans.py): which read a table whole;
5. the hourly refresh two hours on (every treatment stale) by 2 processes: time and overlap;
6. the CSV and FHIR exports of a small and the reference clinic: the worker's memory growth;
7. delivery: 3 dispatcher processes, 50,000 due SMS to the fake Twilio (its own scratch database).

Writes the `organisation` section of bench/RESULTS.md (`--no-write` only prints).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/organisation.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from bench import delivery as delivery_bench
from bench import plans
from bench.clinic import BuiltClinic, build_clinic, settle
from bench.common import POSTGRES_URL, ROOT, production_app, scratch_postgres, tune_postgres, write_section
from bench.cookies import clinician_cookie
from bench.endpoints import summarise
from bench.export_memory import measure_export
from bench.load import Summary, ensure_wrk, wrk
from bench.org_report import Organisation, report
from bench.refresh_workers import run_refresh
from bench.report import Measured, step
from bench.server import Gunicorn
from dashboards.risk.store import recompute_clinic
from feedback.extensions import db
from feedback.models import Patient, TherapySession

SIZES = {
    "full": {"clinics": 40, "patients": 50_000, "reference": 2000, "small": 500, "messages": 50_000},
    "quick": {"clinics": 3, "patients": 300, "reference": 120, "small": 40, "messages": 300},
}
TIMINGS = {"full": {"runs": 3, "seconds": 10, "warmup": 2}, "quick": {"runs": 1, "seconds": 2, "warmup": 1}}
CASELOAD = 40  # patients per therapist, as in the reference clinic (2,000 / 50)


def clinic_sizes(size: dict[str, int]) -> list[int]:
    """Patients per clinic after the reference one: one small clinic (the export at two sizes),
    the rest shared evenly, adding up to the organisation's total."""
    rest = size["patients"] - size["reference"] - size["small"]
    others = size["clinics"] - 2
    return [size["small"], *(rest // others + (1 if n < rest % others else 0) for n in range(others))]


def build_rest(size: dict[str, int], org: Organisation) -> list[BuiltClinic]:
    built = []
    started = time.perf_counter()
    for n, patients in enumerate(clinic_sizes(size), start=2):
        step(f"building clinic {n}/{size['clinics']} ({patients} patients)")
        built.append(build_clinic(f"Clinic {n:02d}", therapists=max(1, patients // CASELOAD), patients=patients,
                                  seed=2026 + n))
    org.build_seconds = time.perf_counter() - started
    step("VACUUM ANALYZE")
    started = time.perf_counter()
    settle()
    org.analyze_seconds = time.perf_counter() - started
    return built


def measure_pages(app: Flask, env: dict[str, str], ref: BuiltClinic, code: str, timing: dict[str, int],
                  log: Path) -> tuple[Summary, Summary, str]:
    """The reference therapist's home and patient page through gunicorn; the load average before."""
    cookie = f"Cookie: {clinician_cookie(app, ref.therapist_ids[0])}"
    with Gunicorn(env, log) as server:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        home = summarise(timing, lambda s: wrk(server.url + "/", seconds=s, headers=[cookie]))
        page = summarise(timing, lambda s: wrk(server.url + f"/patients/{code}", seconds=s, headers=[cookie]))
    return home, page, load


def organisation_counts(org: Organisation) -> None:
    org.clinics = db.session.scalar(select(func.count()).select_from(db.metadata.tables["clinics"]))
    org.patients = db.session.scalar(select(func.count()).select_from(Patient))
    org.sessions = db.session.scalar(select(func.count()).select_from(TherapySession))
    org.responses = db.session.scalar(select(func.count()).select_from(db.metadata.tables["responses"]))
    db.session.rollback()


def bench(quick: bool, tmp: Path) -> Organisation:
    size, timing = SIZES["quick" if quick else "full"], TIMINGS["quick" if quick else "full"]
    org, log = Organisation(out=Measured()), tmp / "gunicorn.log"
    url, drop = scratch_postgres(POSTGRES_URL, "organisation")
    try:
        org.out.database = f"PostgreSQL ({tune_postgres(url)}, as docs/production.md advises)"
        app, env = production_app(url)
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            step(f"reference clinic: {size['reference']} patients")
            ref = build_clinic("Clinic 01", therapists=size["reference"] // CASELOAD, patients=size["reference"])
            org.reference_build_seconds = ref.seconds
            recompute_clinic(ref.clinic_id)
            settle()
            code = db.session.scalar(select(Patient.code).where(Patient.therapist_id == ref.therapist_ids[0])
                                     .order_by(Patient.code))
            db.session.rollback()
            step("pages at the reference size")
            org.home_before, org.page_before, org.load_before = measure_pages(app, env, ref, code, timing, log)
            rest = build_rest(size, org)
            organisation_counts(org)
            step("first evaluation of the other clinics: 2 refresh processes")
            org.first = run_refresh(url, 2, 0)
            settle()
            step("pages at the organisation's size")
            org.home_after, org.page_after, org.load_after = measure_pages(app, env, ref, code, timing, log)
            step("hot query plans")
            who = plans.Subjects(ref.therapist_ids[0], ref.director_id, code)
            org.plans = plans.summary(plans.check(plans.hot_paths(app, who)))
            step("the hourly refresh, every treatment stale: 2 refresh processes")
            org.hourly = run_refresh(url, 2, 2)
            for clinic in (rest[0], ref):
                for path, kind in (("/clinic/export.csv", "CSV"), ("/clinic/fhir-export", "FHIR")):
                    grew = measure_export(app, env, clinic, log, org.out, path=path, kind=kind)
                    org.export_growth.setdefault(kind, []).append((clinic.patients, grew))
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    step(f"delivery: 3 dispatcher processes, {size['messages']} SMS")
    durl, ddrop = scratch_postgres(POSTGRES_URL, "org_delivery")
    try:
        org.delivery = delivery_bench.run_workers(durl, size["messages"], 3)
        org.plans = [*(p for p in org.plans if p[0] != "delivery claim"), *claim_plan(durl)]
    finally:
        ddrop()
    return org


def claim_plan(url: str) -> list[tuple[str, int, list[str]]]:
    """The delivery claim's plan where the outbox has rows: the delivery run's database, all sent."""
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        settle()
        found = plans.summary(plans.check({"delivery claim": plans.delivery_claim}))
        db.session.remove()
        db.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 small clinics, short runs: checks the harness")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--patients", type=int, help="the organisation's patients (full size: 50,000)")
    parser.add_argument("--messages", type=int, help="due SMS for the delivery step (full size: 50,000)")
    args = parser.parse_args()
    kind = "quick" if args.quick else "full"
    SIZES[kind] = {**SIZES[kind], **{k: v for k, v in (("patients", args.patients), ("messages", args.messages)) if v}}
    ensure_wrk()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-org-") as tmp:
        org = bench(args.quick, Path(tmp))
    org.run_seconds = time.perf_counter() - started
    command = "python bench/organisation.py" + (" --quick" if args.quick else "") + "".join(
        f" --{k} {v}" for k, v in (("patients", args.patients), ("messages", args.messages)) if v)
    lines = report(org, command, args.quick)
    print("\n".join(lines), flush=True)
    if not args.no_write:
        write_section("organisation" + ("-quick" if args.quick else ""), lines)  # one section: the latest run


if __name__ == "__main__":
    main()
