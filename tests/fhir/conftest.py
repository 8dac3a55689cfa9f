"""The demo clinic exported to FHIR, and helpers to run the commands and read bundles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from dashboards.demo import clinic as demo
from dashboards.fhir.bundle import bundle_chunks
from dashboards.fhir.export import Selection, clinic_context, clinic_entries
from dashboards.fhir.operations import Matching
from feedback.models import Clinic, utcnow
from tests.auth.conftest import sign_in_as, world  # noqa: F401  (fixtures)
from tests.factories import PATIENT_FORM, answer_patient_form


@pytest.fixture
def demo_clinic(app) -> Clinic:
    return demo.seed().clinic


def export(clinic: Clinic, **selection: object) -> dict:
    text = "".join(bundle_chunks(clinic_entries(clinic, Selection(**selection)), now=utcnow()))
    return json.loads(text)


@pytest.fixture
def run(app, runner, tmp_path: Path) -> Callable[..., Result]:
    """run("import-fhir", bundle_dict_or_bytes, "--clinic", ...) writes the bundle to a file first."""
    counter = iter(range(1, 1000))

    def invoke(command: str, *args: object) -> Result:
        arguments = []
        for arg in args:
            if isinstance(arg, dict | bytes):
                path = tmp_path / f"bundle-{next(counter)}.json"
                path.write_bytes(arg if isinstance(arg, bytes) else json.dumps(arg).encode())
                arg = path
            arguments.append(str(arg))
        return runner.invoke(args=[command, *arguments])

    return invoke


TARGET = "Target clinic"


@pytest.fixture
def source(make_clinic, make_user, make_patient, make_session):
    """A clinic with one answered session; the bundle of it; an empty clinic to import it into."""
    clinic = make_clinic("Source clinic")
    therapist = make_user("therapist", clinic)
    recorded = make_session(make_patient(therapist, code="P-SRC"))
    answers = {**{k: int(v) for k, v in PATIENT_FORM.items() if v.isdigit()}, "rupture": True, "comment": "ok"}
    answer_patient_form(recorded, answers)
    target = make_clinic(TARGET)
    mapped = make_user("therapist", target)
    systems = clinic_context(clinic).systems
    matching = Matching((systems.patient,), {(systems.practitioner, str(therapist.id)): mapped.email})
    return export(clinic), matching


def response(bundle: dict) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")


def item(bundle: dict, link_id: str) -> dict:
    return next(i for i in response(bundle)["item"] if i["linkId"] == link_id)
