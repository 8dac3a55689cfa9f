"""Flags as plain rows for export: JSON (one object per patient) and CSV (one row per event)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dashboards.flags import Evaluation

CSV_COLUMNS = [
    "patient_code",
    "therapist",
    "risk",
    "as_of",
    "session_number",
    "code",
    "subject",
    "severity",
    "current",
    "reason",
    "numbers",
]


@dataclass(frozen=True)
class PatientFlags:
    code: str
    therapist: str
    as_of: date
    evaluation: Evaluation

    def to_dict(self) -> dict[str, object]:
        return {
            "patient_code": self.code,
            "therapist": self.therapist,
            "as_of": self.as_of.isoformat(),
            "risk": self.evaluation.risk,
            "events": [{k: v for k, v in event.to_dict().items() if k != "key"} for event in self.evaluation.events],
        }


def to_json(rows: Iterable[PatientFlags]) -> str:
    return json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False)


def to_csv(rows: Iterable[PatientFlags]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        base = {
            "patient_code": row.code,
            "therapist": row.therapist,
            "risk": row.evaluation.risk,
            "as_of": row.as_of.isoformat(),
        }
        if not row.evaluation.events:
            writer.writerow(base)  # a patient with nothing flagged still appears, with risk "none"
        for event in row.evaluation.events:
            writer.writerow(
                {
                    **base,
                    "session_number": event.session_number,
                    "code": event.code,
                "subject": event.subject or "",
                    "severity": event.severity,
                    "current": "yes" if event.current else "no",
                    "reason": event.reason,
                    "numbers": json.dumps(dict(event.numbers), sort_keys=True),
                }
            )
    return out.getvalue()
