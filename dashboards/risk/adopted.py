"""Norms a clinic adopted from its own data (dashboards/calibration/) in place of the instrument's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from sqlalchemy import bindparam, select

from dashboards.flags.history import ScaleNorm
from dashboards.risk.models import ClinicNorm
from feedback.extensions import db

# Built once, like the history statements (dashboards/risk/histories.py): it runs in every
# recompute, including the one after each answer.
_IN_FORCE = select(ClinicNorm).where(
    ClinicNorm.clinic_id.in_(bindparam("clinic_ids", expanding=True)),
    ClinicNorm.instrument_id == bindparam("instrument_id"),
    ClinicNorm.retired_at.is_(None),
)


def adopted(clinic_ids: Iterable[int], instrument_id: str) -> dict[int, list[ClinicNorm]]:
    """The norms in force per clinic (one query for a batch of clinics)."""
    ids = sorted(set(clinic_ids))
    found: dict[int, list[ClinicNorm]] = defaultdict(list)
    if ids:
        for row in db.session.scalars(_IN_FORCE, {"clinic_ids": ids, "instrument_id": instrument_id}):
            found[row.clinic_id].append(row)
    return found


def with_adopted(norms: Mapping[str, ScaleNorm], rows: Iterable[ClinicNorm]) -> dict[str, ScaleNorm]:
    """The instrument's norms with the clinic's own SD and test–retest where it adopted them; the
    low cutoff stays the instrument's (it is a point on the scale, not a property of noise)."""
    merged = dict(norms)
    for row in rows:
        if row.scale in merged:
            merged[row.scale] = replace(
                merged[row.scale], sd=row.sd, reliability=row.reliability,
                source=f"Adopted from this clinic's data ({row.patients} patients, {row.sessions} sessions) "
                       f"on {row.adopted_at.date().isoformat()}")
    return merged
