"""Whether an evaluation holds a treatment, asked from another connection without waiting."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dashboards.risk.models import PatientRisk
from feedback.extensions import db
from feedback.models import Patient


def free_to_evaluate(patient_id: int) -> bool:
    """Could another evaluation of the treatment (a refresh, another process's poll) take it now?
    On PostgreSQL its risk row (the patient's row before a first evaluation), on SQLite the
    database's write lock."""
    if db.engine.dialect.name == "sqlite":
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # database is locked
            return False
        finally:
            other.close()
    with db.engine.connect() as other:
        risk = other.scalar(select(PatientRisk.patient_id).where(PatientRisk.patient_id == patient_id))
        row = (select(PatientRisk.patient_id).where(PatientRisk.patient_id == patient_id) if risk is not None
               else select(Patient.id).where(Patient.id == patient_id))
        try:
            other.execute(row.with_for_update(nowait=True))
            return True
        except OperationalError:  # lock not available
            return False
