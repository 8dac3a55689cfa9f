"""Treatment ends a bundle carries (a finished EpisodeOfCare): checked before the import, written in
its transaction as the patient page's "end treatment" writes them (status, reason, date, audit)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date

from sqlalchemy import select

from dashboards.audit import audit
from dashboards.fhir.problems import FhirProblem
from dashboards.fhir.reader import End
from dashboards.importer.session_cells import year_slip
from feedback.extensions import db
from feedback.models import Clinic, Patient
from feedback.phrases import phrase
from feedback.translatable import N_

PATH = "EpisodeOfCare.period.end"


def check_ends(
    ends: Sequence[End], clinic: Clinic | None, patients_in_rows: Collection[str], today: date
) -> tuple[dict[str, tuple[str, date]], list[FhirProblem]]:
    """(code -> (reason, date) to write, problems). An end the clinic already holds is left alone."""
    known = {}
    if clinic is not None:
        known = {code: (status, reason, ended_on) for code, status, reason, ended_on in db.session.execute(
            select(Patient.code, Patient.status, Patient.end_reason, Patient.ended_on)
            .where(Patient.clinic_id == clinic.id, Patient.code.in_({end.code for end in ends}))
        )}
    to_write: dict[str, tuple[str, date]] = {}
    problems = []
    for end in ends:
        try:
            day = date.fromisoformat(end.ended_on[:10])
        except ValueError:
            not_a_date = phrase(N_("%(value)s is not a date"), value=repr(end.ended_on[:10]))
            problems.append(end.origin.problem(PATH, not_a_date))
            continue
        held = known.get(end.code)
        if (slip := year_slip(day)) is not None:
            problems.append(end.origin.problem(PATH, slip))
        elif day > today:
            problems.append(end.origin.problem(PATH, phrase(N_("%(day)s is in the future"), day=str(day))))
        elif held is None and end.code not in patients_in_rows:
            message = phrase(N_("this patient is not in the clinic and the bundle has no session of theirs"))
            problems.append(end.origin.problem("EpisodeOfCare.patient", message))
        elif held is not None and held[0] == "ended":
            if (held[1], held[2]) != (end.reason, day):
                message = phrase(N_("the treatment already ended in this clinic: %(reason)s on %(day)s"),
                                 reason=held[1], day=str(held[2]))
                problems.append(end.origin.problem(PATH, message))
        elif to_write.setdefault(end.code, (end.reason, day)) != (end.reason, day):
            differently = phrase(N_("another EpisodeOfCare of the bundle ends it differently"))
            problems.append(end.origin.problem(PATH, differently))
    return to_write, problems


def writer(clinic_name: str, ends: dict[str, tuple[str, date]]) -> Callable[[], set[int]]:
    """What the import adds to its transaction, after its patients are written."""

    def write() -> set[int]:
        db.session.flush()
        patients = db.session.scalars(
            select(Patient).join(Clinic, Clinic.id == Patient.clinic_id)
            .where(Clinic.name == clinic_name.strip(), Patient.code.in_(ends))
        )
        changed = set()
        for patient in patients:
            patient.end_reason, patient.ended_on = ends[patient.code]
            patient.status = "ended"
            audit("end_treatment", patient=patient, detail=f"{patient.end_reason}, {patient.ended_on} (FHIR import)")
            changed.add(patient.id)
        return changed

    return write
