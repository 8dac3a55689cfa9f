"""`bench/run.py --only director`: the director's overview alone, under gunicorn and wrk as in the
full run, next to the `/healthz` baseline of the same server; the clinic's flags evaluated first
(untimed), as the page lists them. The response rates are computed by the first request (no worker
runs in the bench), in the warm-up, and read from their row afterwards, as with a worker running."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from bench.dataset import Data
from bench.endpoints import director_overview, measure_page, summarise
from bench.load import wrk
from bench.report import Measured, step
from bench.server import Gunicorn
from dashboards.risk.store import recompute_clinic


def measure_director(app: Flask, env: dict[str, str], data: Data, timing: dict[str, int], log: Path,
                     out: Measured) -> None:
    step("evaluating the clinic's flags (untimed)")
    recompute_clinic(data.main.clinic_id)
    with Gunicorn(env, log) as server:
        step(f"gunicorn up at {server.url}; wrk runs")
        out.load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        out.baseline = summarise(timing, lambda s: wrk(server.url + "/healthz", seconds=s))
        measure_page(app, server.url, director_overview(data.main.patients), data.main.director_id, timing, out)
