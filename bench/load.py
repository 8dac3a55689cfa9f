"""Driving the server with wrk (Debian's package) and summarising several runs by their medians."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median

from bench.common import ROOT

REPORT = "bench/lua/report.lua"
SURVEY = "bench/lua/survey.lua"
#: Concurrent connections (one wrk thread): two per sync worker keeps both busy, the queue short.
CONNECTIONS = 4


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # socket errors and answers with status >= 400

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Summary:
    """Medians over several runs of one endpoint."""

    runs: tuple[Run, ...]

    def _median(self, value: Callable[[Run], float]) -> float:
        return median(value(run) for run in self.runs)

    @property
    def per_second(self) -> float:
        return self._median(lambda r: r.per_second)

    @property
    def p50_ms(self) -> float:
        return self._median(lambda r: r.p50_ms)

    @property
    def p95_ms(self) -> float:
        return self._median(lambda r: r.p95_ms)

    @property
    def p99_ms(self) -> float:
        return self._median(lambda r: r.p99_ms)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when missing and allowed (root, as in CI)."""
    found = shutil.which("wrk")
    if found:
        return found
    import os

    if os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)  # noqa: S607
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    return found


def wrk(
    url: str,
    *,
    seconds: float,
    script: str = REPORT,
    args: Sequence[str] = (),
    headers: Sequence[str] = (),
    connections: int = CONNECTIONS,
) -> Run:
    command = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "60s", "-s", script]
    for header in headers:
        command += ["-H", header]
    command += [url, "--", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120, check=True)  # noqa: S603
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    data = json.loads(line[len("BENCH ") :])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        errors=errors,
    )


def probe(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """One request without following redirects: (status, body, headers)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with opener.open(request, timeout=120) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
