"""gunicorn as production runs it (docs/production.md), on loopback, for the load benches."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from bench.common import ROOT

WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn -w 2 -b 127.0.0.1:PORT --timeout 300 --access-logfile - 'app:create_app()'` with the given
    env: docs/production.md's command (the timeout lets a big clinic's export stream to the end).
    `workers` other than WORKERS only for an experiment (bench/process_cpu.py --workers)."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = WORKERS) -> None:
        self.env = {**os.environ, **env}
        self.worker_count = workers
        self.env.pop("TRUSTED_PROXY_COUNT", None)  # no proxy in front on loopback
        self.log_path = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
        return [
            gunicorn,
            "-w",
            str(self.worker_count),
            "-b",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "300",
            "--access-logfile",
            "-",
            "app:create_app()",
        ]

    def start(self, timeout: float = 30) -> Gunicorn:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=self._log, stderr=self._log)  # noqa: S603
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            if len(self.workers()) == self.worker_count and self._healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not come up in {timeout} s; see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:  # noqa: S310 (loopback)
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def workers(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_kib(self) -> dict[int, int]:
        """Each worker's peak resident memory so far (VmHWM), in KiB."""
        return {pid: status_kib(pid, "VmHWM") for pid in self.workers()}


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)
