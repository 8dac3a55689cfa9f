"""The data a run measures: the large clinic, a small one (the export at two sizes) and a pool of
open survey links, built with the synthetic-cohort generator in bench/clinic.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bench.clinic import BuiltClinic, build_clinic, build_survey_pool, settle
from bench.report import Measured, step
from feedback import tokens
from feedback.extensions import db
from feedback.models import Patient


@dataclass
class Data:
    main: BuiltClinic
    small: BuiltClinic
    pool_clinic_id: int
    pool: dict[str, str]  # token hash -> token, the open survey links
    patient_code: str
    caseload: int  # patients of the therapist whose pages are measured


def build(size: dict[str, int], out: Measured) -> Data:
    step(f"building the clinics ({size['patients']} + {size['small']} patients, survey pool)")
    main = build_clinic("Bench Clinic", therapists=size["therapists"], patients=size["patients"])
    out.add(
        f"Build the clinic: {len(main.therapist_ids)} therapists, {main.patients:,} patients, "
        f"{main.sessions:,} sessions, {main.responses:,} responses (Core inserts)",
        f"{main.seconds:.1f} s",
    )
    small = build_clinic("Bench Clinic small", therapists=max(1, size["small"] // 40), patients=size["small"], seed=99)
    pool = build_survey_pool(
        "Bench survey pool", patients=size["pool_patients"], open_per_patient=size["open_per_patient"]
    )
    settle()
    therapist = main.therapist_ids[0]
    code = db.session.scalar(select(Patient.code).where(Patient.therapist_id == therapist).order_by(Patient.code))
    caseload = db.session.scalar(select(func.count()).where(Patient.therapist_id == therapist))
    return Data(main, small, pool.clinic_id, {tokens.hash_token(t): t for t in pool.tokens}, code, caseload)
