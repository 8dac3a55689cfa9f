"""The round trip: the demo clinic out as FHIR, into an empty clinic, out as CSV: the same CSV as
the original's (no internal ids in it) and the same flags; and importing it again changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from dashboards.audit.models import AuditEvent
from dashboards.export import export_lines, score_scales
from dashboards.fhir.export import clinic_context
from dashboards.risk.models import PatientRisk, RiskEvent
from dashboards.setup import operations as setup
from feedback.extensions import db
from feedback.models import Clinic, Invitation, Patient, Response, TherapySession, User
from tests.conftest import csrf_token_from
from tests.fhir.conftest import export

TABLES = (Patient, TherapySession, Invitation, Response, RiskEvent, User)


def csv_export(clinic: Clinic) -> list[str]:
    return list(export_lines(clinic.id, clinic.zone, score_scales()))


def flags(clinic: Clinic) -> tuple[set, set]:
    events = db.session.execute(
        select(Patient.code, Patient.status, Patient.end_reason, Patient.ended_on, RiskEvent.code, RiskEvent.subject,
               RiskEvent.severity, RiskEvent.session_number, RiskEvent.current, RiskEvent.reason)
        .join(RiskEvent, RiskEvent.patient_id == Patient.id).where(Patient.clinic_id == clinic.id)
    ).all()
    levels = db.session.execute(
        select(Patient.code, PatientRisk.level, PatientRisk.ever_high)
        .join(PatientRisk, PatientRisk.patient_id == Patient.id).where(Patient.clinic_id == clinic.id)
    ).all()
    return set(events), set(levels)


def counts() -> dict[str, int]:
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def test_demo_clinic_to_fhir_to_an_empty_clinic_gives_the_same_csv_and_the_same_flags(demo_clinic, run):
    bundle = export(demo_clinic, observations=True)
    source = clinic_context(demo_clinic)
    empty = setup.add_clinic("Empty clinic", demo_clinic.timezone)
    mapping = []
    for therapist in db.session.scalars(select(User).where(User.clinic_id == demo_clinic.id, User.role == "therapist")):
        account = setup.add_user(f"new-{therapist.email}", empty, "therapist", None)
        mapping += ["--practitioner", f"{source.systems.practitioner}|{therapist.id}={account.email}"]

    def import_it():
        return run("import-fhir", bundle, "--clinic", "Empty clinic", "--accept-system", source.systems.patient, *mapping)

    result = import_it()
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output and "read over:" in result.output
    assert csv_export(empty) == csv_export(demo_clinic)
    assert len(csv_export(empty)) > 1000
    assert flags(empty) == flags(demo_clinic)
    assert len(flags(empty)[0]) > 10

    before = counts()
    again = import_it()
    assert again.exit_code == 0, again.output
    assert counts() == before and csv_export(empty) == csv_export(demo_clinic)
    assert "created: 0 clinics, 0 therapists, 0 patients, 0 sessions, 0 questionnaires, 0 responses" in again.output
    runs = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "cli_command",
                                                              AuditEvent.clinic_id == empty.id)).all()
    assert runs and all(detail.endswith(": import-fhir") for detail in runs)


def test_a_dry_run_writes_nothing_and_a_web_import_is_audited(demo_clinic, client, sign_in_as, make_user):
    bundle = export(demo_clinic, patient_code="NS-104")
    source = clinic_context(demo_clinic)
    empty = setup.add_clinic("Empty clinic", demo_clinic.timezone)
    director = make_user("director", empty)
    therapist = setup.add_user("newcomer@example.org", empty, "therapist", None)
    nobody = db.session.scalar(select(Patient.therapist_id).where(Patient.code == "NS-104"))
    sign_in_as(client, director)
    before = counts()
    form = {"csrf_token": csrf_token_from(client.get("/clinic/fhir-import").text),
            "accept_systems": source.systems.patient,
            "practitioners": f"{source.systems.practitioner}|{nobody}={therapist.email}"}
    checked = client.post("/clinic/fhir-import", data={**form, "dry_run": "y", "bundle": _file(bundle)},
                          content_type="multipart/form-data")
    assert checked.status_code == 200 and "nothing was written" in checked.text
    assert counts() == before
    done = client.post("/clinic/fhir-import", data={**form, "bundle": _file(bundle)},
                       content_type="multipart/form-data")
    assert done.status_code == 200 and "Imported." in done.text
    assert db.session.scalar(select(Patient).where(Patient.clinic_id == empty.id)).code == "NS-104"
    details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "import_fhir")).all()
    assert [d.split(":")[0] for d in details] == ["FHIR bundle checked (dry run)", "FHIR bundle imported"]


def _file(bundle: dict):
    import io
    import json

    return (io.BytesIO(json.dumps(bundle).encode()), "bundle.json")
