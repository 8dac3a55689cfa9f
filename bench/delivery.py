"""How many SMS a minute one worker dispatches, against the fake Twilio API on loopback.

    .venv/bin/python -m bench.delivery                       # SQLite (a temporary file in WAL mode)
    .venv/bin/python -m bench.delivery --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.delivery --messages 2000 --write   # also record it in bench/RESULTS.md

One `Dispatcher` (what one `flask --app app worker` process runs) sends N due messages through
the real Twilio SDK to the fake, which answers at once: the number measures our own cost per
message (claiming, the checks, rebuilding link and number, the `sending` record before the
call, the SDK request, the result record). With the real Twilio the API round trip (typically
0.1-0.3 s) and the account's sending rate limits dominate; see docs/delivery.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from bench.common import ROOT, machine, scratch_postgres, write_section
from feedback.delivery.dispatcher import Dispatcher
from feedback.delivery.settings import delivery
from feedback.extensions import db
from tests.delivery.bulk import links_by_row, make_due_messages, make_due_now, statuses
from tests.delivery.dispatch_process import app_config
from tests.delivery.processes import created_links
from tests.fake_twilio import FakeTwilio

SECTION = "delivery"


def run(database_url: str, messages: int) -> dict[str, object]:
    with FakeTwilio() as fake:
        app = create_app({**app_config(database_url, fake.url, 120), "DELIVERY_BATCH_SIZE": 50})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            ids = make_due_messages(messages)
            make_due_now(ids)
            found = delivery()
            dispatcher = Dispatcher(found.sender, found.cipher)
            started = time.perf_counter()
            outcomes = dispatcher.run()
            elapsed = time.perf_counter() - started
            assert outcomes.sent == messages and set(statuses().values()) == {"sent"}, outcomes
            assert len(fake.messages) == messages
            dialect = db.engine.dialect.name
            query = "show server_version" if dialect == "postgresql" else "select sqlite_version()"
            version = str(db.session.execute(text(query)).scalar()).split(" ")[0]
            db.session.remove()
            db.engine.dispose()
    return {
        "database": f"{'PostgreSQL' if dialect == 'postgresql' else 'SQLite'} {version}",
        "messages": messages,
        "seconds": elapsed,
        "per_minute": messages / elapsed * 60,
    }


def run_workers(database_url: str, messages: int, processes: int) -> dict[str, object]:
    """`processes` dispatcher processes (`tests.delivery.dispatch_process`, the loop the worker's
    jobs run) sending `messages` due SMS at once; each link counted at the fake, which must have
    been asked exactly once for each."""
    with FakeTwilio() as fake, tempfile.TemporaryDirectory(prefix="dispatch-") as tmp:
        app = create_app(app_config(database_url, fake.url, 120))
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            ids = make_due_messages(messages)
            readies = [Path(tmp) / f"ready-{n}" for n in range(processes)]
            started = [
                subprocess.Popen(  # noqa: S603 - our own module, our own arguments
                    [sys.executable, "-m", "tests.delivery.dispatch_process", "--database", database_url,
                     "--twilio", fake.url, "--ready", str(ready), "--claim-ttl", "120", "--timeout", "7200"],
                    cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
                )
                for ready in readies
            ]
            while not all(ready.exists() for ready in readies):
                time.sleep(0.05)
            make_due_now(ids)  # all due at once, every dispatcher polling
            begun = time.perf_counter()
            reports = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in started]
            elapsed = time.perf_counter() - begun
            links = links_by_row()
            counted = created_links(fake)
            once = counted == Counter({links[i]: 1 for i in ids}) and set(statuses().values()) == {"sent"}
            db.session.remove()
            db.engine.dispose()
    return {
        "messages": messages,
        "processes": processes,
        "seconds": elapsed,
        "per_minute": messages / elapsed * 60,
        "at_fake": sum(counted.values()),
        "exactly_once": once,
        "sent_by": [r["sent"] for r in reports],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a scratch database is made next to it")
    parser.add_argument("--write", action="store_true", help="record the result in bench/RESULTS.md")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run("sqlite:///" + str(Path(tmp) / "bench.db"), args.messages))
    if args.postgres:
        url, drop = scratch_postgres(args.postgres, "delivery")
        try:
            results.append(run(url, args.messages))
        finally:
            drop()

    lines = [
        "## Delivery: SMS dispatched per minute by one worker",
        "",
        f"`.venv/bin/python -m bench.delivery --messages {args.messages}"
        + (" --postgres …" if args.postgres else "")
        + f"` on {datetime.now(UTC):%Y-%m-%d}, {machine()}.",
        "One dispatcher process, the real Twilio SDK, the fake Twilio API on loopback answering at once.",
        "",
        "| database | messages | seconds | messages per minute |",
        "|---|---:|---:|---:|",
        *(f"| {r['database']} | {r['messages']} | {r['seconds']:.1f} | {r['per_minute']:,.0f} |" for r in results),
    ]
    print("\n".join(lines))
    if args.write:
        write_section(SECTION, lines)


if __name__ == "__main__":
    main()
