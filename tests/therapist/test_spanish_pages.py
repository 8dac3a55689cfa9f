"""A therapist whose language is Spanish reads the home page, the patient page (flags and their
reasons, guidance, the charts' tables and figures) in Spanish, with no English sentence left; and the
setting on My account switches the language, refusing a language that does not ship."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dashboards.audit import AuditEvent
from feedback import catalogs
from feedback.extensions import db
from feedback.models import User, utcnow
from tests.conftest import csrf_token_from
from tests.dashboards.builders import CALM, THERAPIST_CALM, UNRESOLVED
from tests.therapist.conftest import section, text, treat


@pytest.fixture
def spanish(world, make_patient):
    """The own therapist reads Spanish; RUPT's last session had an unresolved rupture."""
    world.own.language = "es"
    db.session.commit()
    treat(make_patient(world.own, "RUPT"), [(CALM, THERAPIST_CALM)] * 4 + [(UNRESOLVED, THERAPIST_CALM)])
    return world.own


def english_sentences() -> list[str]:
    """Every clinician msgid of three words or more without placeholders or markup: a sentence that
    must not show on a Spanish page (names, codes and single words may be the same in both)."""
    found = []
    for message in catalogs.extract(next(d for d in catalogs.domains() if d.name == "clinician")):
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if msgid and "%(" not in msgid and "<" not in msgid and len(msgid.split()) >= 3:
            found.append(msgid)
    return found


def no_english_left(page: str) -> None:
    seen = text(page)
    left = [sentence for sentence in english_sentences() if sentence in seen]
    assert not left, left


def test_the_home_page_in_spanish(spanish, as_user):
    page = as_user(spanish).get("/")
    assert page.status_code == 200 and '<html lang="es"' in page.text
    seen = text(page.text)
    assert "Sus casos" in seen and "1 tratamiento activo con riesgo alto" in seen and "Requiere atención" in seen
    row = page.text[page.text.index("/patients/RUPT"):]
    assert "Riesgo alto" in text(row) and "Alta · Ruptura no resuelta" in text(row)
    assert "Tensión 4 de 5, no resuelta (1 de 5)" in seen  # the brief, from the event's numbers
    reason = re.search(r'<summary title="([^"]+)">', row).group(1)
    assert reason.startswith("El paciente comunicó tensión con el terapeuta (intensidad 4 de 5)")
    no_english_left(page.text)


def test_the_patient_page_in_spanish(spanish, as_user):
    client = as_user(spanish)
    page = client.get("/patients/RUPT")
    assert page.status_code == 200 and '<html lang="es"' in page.text
    seen = text(page.text)
    assert "Paciente RUPT" in seen and "Motivo:" in seen
    assert "Historial de señales" in seen and "Sesiones y respuestas" in seen
    guidance = text(section(page.text, "guidance"))
    assert "Antes de la próxima sesión: parece una ruptura de confrontación" in guidance
    assert "Un enfoque adecuado" in guidance and "Parece que estamos en una especie de baile. ¿Le encaja eso?" in guidance
    assert "Paciente: «Me sentí frustrado/a o molesto/a con mi terapeuta" in guidance
    charts = text(section(page.text, "charts"))
    assert "Alianza global por sesión: puntuaciones del paciente y del terapeuta (1 a 5)" in charts
    assert "Mostrar como tabla" in charts and "Ruptura no resuelta, comunicada por el paciente" in charts
    events = text(section(page.text, "events"))
    assert "intensidad 4 de 5" in events and "Señalado por primera vez" in events
    no_english_left(page.text)

    figures = client.get("/patients/RUPT/charts.json").get_json()
    alliance = figures["alliance"]
    assert alliance["layout"]["yaxis"]["title"]["text"] == "Puntuación (1 a 5)"
    names = {trace.get("name") for trace in alliance["data"]}
    assert {"Paciente", "Terapeuta", "Ruptura: no resuelta"} <= names
    hover = next(t for t in alliance["data"] if t.get("name") == "Paciente")["hovertext"][-1]
    assert hover.startswith("Sesión 5 · ") and "alianza global" in hover


def test_an_english_colleague_reads_the_same_patient_in_english(spanish, world, as_user):
    page = as_user(world.director).get("/patients/RUPT")
    assert '<html lang="en"' in page.text and "Flag history" in page.text
    assert "The patient reported tension with the therapist (strength 4 of 5)" in text(page.text)


def test_the_language_setting_switches_and_refuses_what_does_not_ship(world, as_user):
    client = as_user(world.own)
    account = client.get("/account")
    assert '<option value="es" lang="es">Español</option>' in account.text  # by its own name
    token = csrf_token_from(account.text)

    changed = client.post("/account/language", data={"language": "es", "csrf_token": token})
    assert changed.status_code == 303
    assert db.session.get(User, world.own.id).language == "es"
    after = client.get("/account")
    assert '<html lang="es"' in after.text and "Su idioma se ha guardado." in after.text
    assert '<option value="es" selected lang="es">' in after.text

    refused = client.post("/account/language", data={"language": "xx", "csrf_token": token})
    assert refused.status_code == 422 and "Elija uno de los idiomas ofrecidos." in refused.text
    assert db.session.get(User, world.own.id).language == "es"

    back = client.post("/account/language", data={"language": "", "csrf_token": token})
    assert back.status_code == 303 and db.session.get(User, world.own.id).language is None  # the clinic's again
    assert '<html lang="en"' in client.get("/").text
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "language_changed")).all()
    assert len(actions) == 2


def test_a_treatments_status_is_singular_and_the_filters_plural(spanish, world, as_user):
    """One treatment 'Finalizado' / 'Activo'; the filter lists 'Activos', 'Finalizados'."""
    client = as_user(spanish)
    assert "<dd>Activo</dd>" in client.get("/patients/RUPT").text
    assert client.post("/patients/RUPT/end", data={"reason": "completed", "ended_on": utcnow().date().isoformat(),
                                                   "csrf_token": csrf_token_from(client.get("/patients/RUPT/end").text)}
                       ).status_code == 303
    assert "<dd>Finalizado · " in client.get("/patients/RUPT").text
    home = client.get("/").text
    assert ">Activos</option>" in home and ">Finalizados</option>" in home
