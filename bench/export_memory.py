"""The CSV export's memory: each clinic's export streamed from a freshly started server, reading
the serving worker's peak RSS before and after. If the export streams, the growth does not
depend on the clinic's size, so two sizes are compared."""

from __future__ import annotations

import http.client
import time
from collections.abc import Sequence
from pathlib import Path

from flask import Flask

from bench.clinic import BuiltClinic
from bench.cookies import clinician_cookie
from bench.load import wrk
from bench.report import Measured, step
from bench.server import Gunicorn


def measure_exports(app: Flask, env: dict[str, str], clinics: Sequence[BuiltClinic], log: Path, out: Measured) -> None:
    """Each clinic's export, then whether the memory growth stayed flat from the first to the last."""
    growth = [(clinic.patients, mib) for clinic in clinics
              if (mib := measure_export(app, env, clinic, log, out)) is not None]
    if len(growth) == 2:
        (small_n, small_mib), (big_n, big_mib) = growth
        flat = big_mib <= small_mib + 10
        out.add(
            "CSV export memory: growth during the export at two clinic sizes",
            f"+{small_mib:.1f} MiB ({small_n} patients) vs +{big_mib:.1f} MiB ({big_n} patients)",
            "does not grow with size",
            flat,
        )


def measure_export(
    app: Flask, env: dict[str, str], clinic: BuiltClinic, log: Path, out: Measured,
    path: str = "/clinic/export.csv", kind: str = "CSV",
) -> float | None:
    """Stream the clinic's export (CSV, or another at `path`) from a fresh server; the serving
    worker's peak RSS growth in MiB (None when there is no export yet)."""
    step(f"{kind} export of {clinic.patients} patients")
    with Gunicorn(env, log) as server:
        cookie = clinician_cookie(app, clinic.director_id)
        for warm in ("/healthz", "/clinic"):  # warm both workers the same way
            wrk(server.url + warm, seconds=2, headers=[f"Cookie: {cookie}"])
        before = server.peak_rss_kib()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie})
        answer = connection.getresponse()
        first = size = lines = 0.0
        try:
            while chunk := answer.read(65536):
                first = first or time.perf_counter() - started
                size += len(chunk)
                lines += chunk.count(b"\n")
        except (http.client.IncompleteRead, ConnectionError):  # the worker died mid-stream
            out.add(f"{kind} export, {clinic.patients} patients",
                    f"cut off after {size / 1e6:.1f} MB and {time.perf_counter() - started:.0f} s: the sync worker "
                    "was killed mid-stream (gunicorn's --timeout)", "streamed to the end", False)
            connection.close()
            return None
        elapsed = time.perf_counter() - started
        connection.close()
        after = server.peak_rss_kib()
    label = f"{kind} export, {clinic.patients} patients"
    if answer.status == 404:
        out.add(label, "not available yet (404)")
        return None
    streamed = answer.getheader("Content-Length") is None
    grew = max(after[pid] - before.get(pid, after[pid]) for pid in after)
    out.add(
        label,
        f"status {answer.status}, {size / 1e6:.1f} MB, {lines:,.0f} lines in {elapsed:.1f} s "
        f"(first byte {first * 1000:.0f} ms){'' if streamed else ', NOT streamed (Content-Length)'}; "
        f"worker peak RSS {max(after.values()) / 1024:.0f} MiB, +{grew / 1024:.1f} MiB during the export",
        "streamed; memory: see below",
    )
    return grew / 1024
