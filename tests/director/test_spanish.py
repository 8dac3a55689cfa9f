"""Issue 19: the director's side of the clinician UI in Spanish. A director whose own language is
Spanish reads the overview, the accounts, the audit trail, the safety settings and the battery page
in Spanish; a clinician without a language of their own reads the clinic's default, which a
director sets on /clinic/language (checked on the server, audited); account e-mails are written in
the recipient's language, not the sender's."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from dashboards.audit import AuditEvent, audit
from dashboards.risk.models import PatientRisk
from feedback.extensions import db
from feedback.mail import console_outbox
from feedback.models import utcnow
from tests.auth.conftest import post_form
from tests.director.conftest import speaks

#: Per page: what a Spanish reader must find, and the English it replaces.
PAGES = {
    "/clinic": (["Resumen de la clínica", "Tratamientos activos por nivel de riesgo",
                 "Rupturas no resueltas que pueden requerir supervisión", "Resultados de los tratamientos finalizados",
                 "Auditoría y exportación"],
                ["Clinic overview", "Active treatments by risk level", "Audit and export"]),
    "/clinic/therapists": (["Terapeutas de Northside", "Verificación en dos pasos", "Añadir una cuenta",
                            "Dirección de correo electrónico", "Enviar un nuevo enlace de contraseña"],
                           ["Add an account", "Two-step sign-in", "E-mail address"]),
    "/clinic/audit": (["Registro de auditoría de Northside", "Quién", "Filtrar", "Acceso de emergencia",
                       "Descargar todo el registro como CSV"],
                      ["Audit trail of", "Anyone", "Break-glass access"]),
    "/clinic/safety": (["Ajustes de seguridad", "Direcciones de correo de guardia", "Guardar los ajustes de seguridad",
                        "Se genera una alerta de seguridad"],
                       ["Safety settings", "On-call e-mail addresses", "A safety alert is raised"]),
    "/clinic/battery": (["Medidas de resultado después del formulario de alianza", "Guardar la batería",
                         "Frecuencia (medida 1)", "en cada sesión", "Medida de resultado 1"],
                        ["Save the battery", "How often (measure 1)", "Outcome measure 1"]),
    "/clinic/language": (["Idioma de la clínica", "Idioma predeterminado de la clínica", "Guardar el idioma"],
                         ["Clinic language", "Save the language"]),
}


@pytest.mark.parametrize("path", PAGES)
def test_a_spanish_director_reads_the_clinic_pages_in_spanish(path, clinics, as_user):
    page = as_user(speaks(clinics.director, "es")).get(path)
    assert page.status_code == 200
    assert '<html lang="es"' in page.text
    spanish, english = PAGES[path]
    for words in spanish:
        assert words in page.text, words
    for words in english:
        assert words not in page.text, words


def test_an_english_director_still_reads_english(clinics, as_user):
    page = as_user(clinics.director).get("/clinic").text
    assert '<html lang="en"' in page and "Clinic overview" in page and "Resumen de la clínica" not in page


def test_a_bad_period_is_refused_in_spanish(clinics, as_user):
    director = as_user(speaks(clinics.director, "es"))
    page = director.get("/clinic?from=2026-13-01")
    assert page.status_code == 422 and "Finalizados desde" in page.text
    assert "El inicio del periodo debe ser una fecha escrita como AAAA-MM-DD" in page.text
    reversed_period = director.get("/clinic/outcomes.json?from=2026-05-01&to=2026-01-01")
    assert reversed_period.status_code == 422
    assert reversed_period.json["error"] == "El inicio del periodo es posterior a su final."


def test_the_clinic_default_decides_for_a_clinician_without_a_language(clinics, as_user):
    director = as_user(clinics.director)
    answer = post_form(director, "/clinic/language", language="es")
    assert answer.status_code == 303
    assert db.session.get(type(clinics.north), clinics.north.id).language == "es"
    [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "set_clinic_language")).all()
    assert row.user_id == clinics.director.id and row.detail == "en -> es"
    assert "El idioma predeterminado de la clínica es ahora: Español." in director.get(answer.location).text
    # Alex has no language of his own: the clinic's default. Blake chose English: his own wins.
    assert "Mi cuenta" in as_user(clinics.alex).get("/account").text
    assert "My account" in as_user(speaks(clinics.blake, "en")).get("/account").text
    # Saving the same language again changes and records nothing.
    post_form(director, "/clinic/language", language="es")
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "set_clinic_language")).all()) == 1


@pytest.mark.parametrize("value", ["xx", "", "de", "es\x00"])
def test_the_clinic_language_must_be_a_shipped_one(value, clinics, as_user):
    answer = post_form(as_user(clinics.director), "/clinic/language", language=value)
    assert answer.status_code == 422
    assert db.session.get(type(clinics.north), clinics.north.id).language == "en"


def test_a_therapist_may_not_set_the_clinic_language(clinics, as_user):
    assert post_form(as_user(clinics.alex), "/account", "/clinic/language", language="es").status_code == 404
    assert db.session.get(type(clinics.north), clinics.north.id).language == "en"


def mail_to(address: str) -> list:
    return [m for m in console_outbox().sent if m["To"] == address]


def test_a_password_link_is_written_in_the_recipients_language(clinics, as_user):
    director = as_user(speaks(clinics.director, "es"))  # the sender reads Spanish ...
    post_form(director, "/clinic/therapists", f"/clinic/therapists/{clinics.blake.id}/password-link")
    [english] = mail_to(clinics.blake.email)  # ... Blake, with the clinic's English, reads English
    assert english["Subject"] == "Set your password" and "Hello " in english.get_content()

    speaks(clinics.alex, "es")
    post_form(director, "/clinic/therapists", f"/clinic/therapists/{clinics.alex.id}/password-link")
    [spanish] = mail_to(clinics.alex.email)
    body = spanish.get_content()
    assert spanish["Subject"] == "Establezca su contraseña"
    assert f"Hola, {clinics.alex.display_name}:" in body and "Establezca su contraseña aquí" in body
    assert "/password/set/" in body and "Set your password" not in body


def test_a_reset_notice_reaches_a_clinician_in_the_clinics_default(clinics, as_user):
    clinics.north.language = "es"
    db.session.commit()
    post_form(as_user(clinics.director), "/clinic/therapists", f"/clinic/therapists/{clinics.blake.id}/reset-2fa")
    [notice] = mail_to(clinics.blake.email)
    assert notice["Subject"] == "Se ha restablecido su verificación en dos pasos"
    assert "ha restablecido su verificación en dos pasos" in notice.get_content()


def high_risk_row(page: str) -> str:
    start = page.index('id="at-risk"')
    return page[page.index("/patients/A-HIGH", start):page.index("</tr>", page.index("/patients/A-HIGH", start))]


def test_a_high_risk_treatments_main_reason_is_read_in_spanish(clinics, as_user):
    # Fails before main reasons were phrases: the row said the stored English sentence.
    row = high_risk_row(as_user(speaks(clinics.director, "es")).get("/clinic").text)
    assert "El paciente comunicó tensión con el terapeuta" in row and "no se resolvió" in row
    assert "not resolved" not in row


def test_a_main_reason_stored_before_phrases_is_read_in_english(clinics, as_user):
    risk = db.session.get(PatientRisk, clinics.patients["A-HIGH"].id)
    assert risk.main_reason_message is not None  # the evaluation stored the phrase
    risk.main_reason_message = None
    db.session.commit()
    row = high_risk_row(as_user(speaks(clinics.director, "es")).get("/clinic").text)
    assert "not resolved" in row


@pytest.mark.parametrize(("language", "written"), [("es", "2 mar 2026, 9:15:00"), (None, "Mar 2, 2026, 9:15:00\u202fAM")])
def test_the_audit_trail_says_when_in_the_readers_style(language, written, clinics, as_user):
    """To the second, in the clinic's zone (London: UTC in March), in the reader's language (CLDR puts a
    narrow no-break space before AM)."""
    assert clinics.director.clinic.timezone == "Europe/London"
    with time_machine.travel("2026-03-02 09:15:00Z", tick=False):
        audit("view_patient", patient=clinics.patients["A-HIGH"], actor=clinics.director)
        db.session.commit()
    page = as_user(speaks(clinics.director, language)).get("/clinic/audit?action=view_patient").text
    assert f'<th scope="row">{written}</th>' in page, page


def test_the_ended_months_are_written_in_spanish(clinics, as_user):
    page = as_user(speaks(clinics.director, "es")).get("/clinic").text
    spanish_months = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
    ended = (utcnow() - timedelta(days=5)).date()  # B-DONE's end (tests/director/conftest.py)
    assert f'<th scope="row">{spanish_months[ended.month - 1]} {ended.year}</th>' in page
