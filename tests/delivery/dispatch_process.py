"""One dispatcher process for the multi-process tests: `python -m tests.delivery.dispatch_process`.

It builds the app against the given database and fake Twilio, writes `--ready` once it is up,
then runs what the worker's jobs run (recover, resolve uncertain rows, dispatch) in a loop
until no row is left open, sending or uncertain. It prints how many rows it sent, as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from app import create_app
from feedback.delivery.dispatcher import Dispatcher, Outcomes
from feedback.delivery.resolver import resolve_uncertain
from feedback.delivery.settings import delivery
from feedback.extensions import db
from feedback.models.outbox import OutboxMessage
from tests.delivery.bulk import NO_LIMITS
from tests.fake_twilio import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

UNSETTLED = ("pending", "claimed", "sending", "uncertain")


def app_config(database_url: str, twilio_url: str, claim_ttl: float) -> dict[str, object]:
    return {
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE_URL": twilio_url,
        "TWILIO_TIMEOUT_SECONDS": 1,
        "CLINIC_CONTACT": "+44 20 7946 0123",
        "PUBLIC_BASE_URL": "https://clinic.example.org",
        "DELIVERY_CLAIM_TTL_SECONDS": claim_ttl,
        "DELIVERY_BATCH_SIZE": 10,
        "DELIVERY_POLICY": NO_LIMITS,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--twilio", required=True)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--claim-ttl", type=float, default=30)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    app = create_app(app_config(args.database, args.twilio, args.claim_ttl))
    total = Outcomes()
    with app.app_context():
        found = delivery()
        dispatcher = Dispatcher(found.sender, found.cipher)
        args.ready.write_text(dispatcher.worker)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            resolve_uncertain(found.sender, found.cipher)
            outcomes = dispatcher.run()
            for name, value in vars(outcomes).items():
                setattr(total, name, getattr(total, name) + value)
            left = db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(UNSETTLED))
            )
            if not left:
                print(json.dumps({"worker": dispatcher.worker, **vars(total)}))
                return 0
            db.session.rollback()  # end the read transaction: see other processes' commits
            time.sleep(0.05)
    print(json.dumps({"worker": dispatcher.worker, "timeout": True, **vars(total)}))
    return 1


if __name__ == "__main__":
    sys.exit(main())
