"""Adopting a clinic's own norms, and going back to the instrument's: each one place that commits,
audited, dated and reversible (rows are retired, never overwritten); the clinic's flags are
re-evaluated at once with the norms now in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from dashboards.audit import audit
from dashboards.calibration.norms import clinic_estimates
from dashboards.risk.models import ClinicNorm
from dashboards.risk.store import recompute_clinic
from feedback.extensions import db
from feedback.i18n import gettext as _
from feedback.instruments.model import Instrument
from feedback.models import Clinic, User


class CalibrationError(ValueError):
    """The clinic cannot adopt norms now; the message is shown as is."""


def adopt_clinic_norms(clinic: Clinic, instrument: Instrument, actor: User, now: datetime) -> list[ClinicNorm]:
    estimates = clinic_estimates(clinic.id, instrument)
    missing = sorted(scale for scale, estimate in estimates.items() if estimate is None)
    if not estimates or missing:
        raise CalibrationError(_("This clinic does not have enough history yet to estimate its own norms "
                                 "(%(scales)s).", scales=", ".join(missing) or _("no scale with norms")))
    # Answers that never vary within a patient would make every change look reliable.
    flat = sorted(scale for scale, e in estimates.items()
                  if e is not None and not (e.sd > 0 and e.reliability.value < 1))
    if flat:
        raise CalibrationError(_("The answers show no week-to-week variation on %(scales)s: nothing to adopt.",
                                 scales=", ".join(flat)))
    _retire(clinic, instrument, actor, now)
    rows = [ClinicNorm(clinic_id=clinic.id, instrument_id=instrument.id, scale=scale, sd=e.sd,
                       reliability=e.reliability.value, patients=e.patients, sessions=e.sessions,
                       adopted_at=now, adopted_by_id=actor.id)
            for scale, e in sorted(estimates.items()) if e is not None]
    db.session.add_all(rows)
    audit("adopt_clinic_norms", actor=actor, detail="; ".join(
        f"{r.scale}: sd {r.sd:.3f}, test-retest {r.reliability:.3f} ({r.patients} patients)" for r in rows))
    try:
        db.session.commit()
    except IntegrityError:  # another director adopted at the same moment (one set in force)
        db.session.rollback()
        raise CalibrationError(_("Another director changed the clinic's norms at the same moment; "
                                 "please look at the page again.")) from None
    recompute_clinic(clinic.id, now=now)
    return rows


def revert_clinic_norms(clinic: Clinic, instrument: Instrument, actor: User, now: datetime) -> int:
    retired = _retire(clinic, instrument, actor, now)
    if not retired:
        raise CalibrationError(_("The clinic already uses the instrument's norms."))
    audit("revert_clinic_norms", actor=actor, detail=f"back to the norms of {instrument.id} v{instrument.version}")
    db.session.commit()
    recompute_clinic(clinic.id, now=now)
    return retired


def _retire(clinic: Clinic, instrument: Instrument, actor: User, now: datetime) -> int:
    result = db.session.execute(
        update(ClinicNorm)
        .where(ClinicNorm.clinic_id == clinic.id, ClinicNorm.instrument_id == instrument.id,
               ClinicNorm.retired_at.is_(None))
        .values(retired_at=now, retired_by_id=actor.id)
    )
    return result.rowcount or 0
