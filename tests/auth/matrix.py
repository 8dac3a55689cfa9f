"""Who may use which route: every route of the app × every kind of visitor, as one table (used by
test_authorization_matrix.py, which runs it, and by test_survey_tokens.py). What a case's path leads
to (a set-password link, a session, a failed SMS, a safety alert) is made in `matrix_subjects.py`.

In the style of GitLab's policy tables. The table is checked against `app.url_map`, so a route
added later without an entry here (or in EXEMPT, with a reason) fails `test_every_route_is_in_the_table`.

Outcomes:
  OK        200, the page or data
  DONE      a redirect elsewhere than sign-in (the action was carried out, or "already signed in")
  LOGIN     sent to sign-in (302/303 to /login) or, for JSON, 401
  HIDDEN    404, exactly as for something that does not exist
  FORBIDDEN 403: they may see the patient but not decide who else does
  REFUSED   401 page: wrong credentials
  INVALID   422: the handler was reached but the input (here: a wrong password) was refused
CSRF is switched off here (it has its own tests in test_csrf.py) so that this table is about
authorization only.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.auth.conftest import World
from tests.auth.matrix_subjects import PATIENT, failed_sms, password_link, safety_alert, session_path

OK, DONE, LOGIN, HIDDEN, FORBIDDEN, REFUSED, INVALID = "ok", "done", "login", "hidden", "forbidden", "refused", "invalid"

ACTORS = ("own", "other", "director", "director_b", "admin", "anonymous", "survey")
CLINICIANS = ("own", "other", "director", "director_b", "admin")
VISITORS = ("anonymous", "survey")  # having opened a survey link must count for nothing here


def outcomes(default: str | None = None, **by_actor: str) -> dict[str, str]:
    """Per-actor outcomes; clinicians default to `default`, visitors to LOGIN unless given."""
    table = {actor: LOGIN for actor in VISITORS}
    if default is not None:
        table.update({actor: default for actor in CLINICIANS})
    table.update(by_actor)
    assert set(table) == set(ACTORS), f"missing actors: {set(ACTORS) - set(table)}"
    return table


def everyone(outcome: str) -> dict[str, str]:
    return {actor: outcome for actor in ACTORS}


@dataclass(frozen=True)
class Case:
    path: Callable[[World], str]
    expect: dict[str, str]
    data: Callable[[World], dict[str, str]] = field(default=lambda w: {})


#: The patient's own therapist and the clinic's director; nobody else, whatever their role.
PATIENT_DATA = outcomes(HIDDEN, own=OK, director=OK)
#: Changing a treatment (sessions, links, notes, its end): the same two; a colleague it is shared with gets 403.
TREATMENT_PAGE = outcomes(HIDDEN, own=OK, director=OK)
TREATMENT_CHANGE = outcomes(HIDDEN, own=DONE, director=DONE)
SESSION_FORM = {"day": "2026-01-05", "start": "10:00", "duration_minutes": "50", "attendance": "attended"}
#: Account management: directors and admins of the target's clinic.
MANAGE_TARGET = outcomes(HIDDEN, director=DONE, admin=DONE)
SHARING = outcomes(HIDDEN, own=DONE, director=DONE)

MATRIX: dict[tuple[str, str], Case] = {
    # Sign-in pages: open to all; signed-in users are sent home.
    ("auth.login", "GET"): Case(lambda w: "/login", outcomes(DONE, anonymous=OK, survey=OK)),
    ("auth.login", "POST"): Case(
        lambda w: "/login",
        outcomes(DONE, anonymous=REFUSED, survey=REFUSED),
        lambda w: {"email": "someone@elsewhere.test", "password": "not the password"},
    ),
    # The second step needs a password-stage session; nobody here has one.
    ("auth.second_factor", "GET"): Case(lambda w: "/login/2fa", everyone(LOGIN)),
    ("auth.second_factor", "POST"): Case(lambda w: "/login/2fa", everyone(LOGIN), lambda w: {"code": "123456"}),
    ("auth.enrol", "GET"): Case(lambda w: "/login/enrol", everyone(LOGIN)),
    ("auth.enrol", "POST"): Case(lambda w: "/login/enrol", everyone(LOGIN)),
    ("auth.enrol_confirm", "POST"): Case(lambda w: "/login/enrol/confirm", everyone(LOGIN), lambda w: {"code": "1"}),
    ("auth.logout", "POST"): Case(lambda w: "/logout", everyone(LOGIN)),
    # One's own account: any signed-in clinician (a wrong password is refused with 422).
    ("auth.account", "GET"): Case(lambda w: "/account", outcomes(OK)),
    ("auth.change_password", "POST"): Case(
        lambda w: "/account/password",
        outcomes(INVALID),
        lambda w: {"current": "wrong", "password": "a-new-long-password", "confirm": "a-new-long-password"},
    ),
    ("auth.account_enrol", "POST"): Case(lambda w: "/account/2fa", outcomes(INVALID), lambda w: {"password": "x"}),
    ("auth.account_enrol_confirm", "POST"): Case(lambda w: "/account/2fa/confirm", outcomes(DONE), lambda w: {"code": "1"}),
    ("auth.end_other_sessions", "POST"): Case(
        lambda w: "/account/sessions/end-others", outcomes(INVALID), lambda w: {"password": "x"}
    ),
    ("auth.recovery_codes", "POST"): Case(lambda w: "/account/recovery-codes", outcomes(INVALID), lambda w: {"password": "x"}),
    ("auth.change_language", "POST"): Case(lambda w: "/account/language", outcomes(DONE), lambda w: {"language": "es"}),
    # A set-password link is its own authority, whoever opens it; then on to sign in.
    ("auth.set_password", "GET"): Case(password_link, everyone(OK)),
    ("auth.set_password", "POST"): Case(
        password_link, everyone(LOGIN), lambda w: {"password": "lantern-otter-harbour-9", "confirm": "lantern-otter-harbour-9"}
    ),
    # Patient data: pages, chart data, exports.
    ("dashboards.home", "GET"): Case(lambda w: "/", outcomes(OK)),
    ("dashboards.patient", "GET"): Case(lambda w: PATIENT, PATIENT_DATA),
    ("dashboards.patient_scores", "GET"): Case(lambda w: PATIENT + "/scores.json", PATIENT_DATA),
    ("dashboards.patient_export", "GET"): Case(lambda w: PATIENT + "/export.csv", PATIENT_DATA),
    ("dashboards.patient_charts", "GET"): Case(lambda w: PATIENT + "/charts.json", PATIENT_DATA),
    # Reviewing progress with the patient: the page and its chart, as any view of the patient's data.
    ("dashboards.patient_review", "GET"): Case(lambda w: PATIENT + "/review", PATIENT_DATA),
    ("dashboards.patient_review_chart", "GET"): Case(lambda w: PATIENT + "/review.json", PATIENT_DATA),
    # Each clinician's own ended treatments' outcomes; an admin treats no patients.
    ("dashboards.own_outcomes_page", "GET"): Case(lambda w: "/outcomes", outcomes(OK, admin=HIDDEN)),
    # The therapist's pages: a new patient (clinicians who treat), managing a treatment, the guidance note.
    ("dashboards.new_patient", "GET"): Case(lambda w: "/new-patient", outcomes(OK, admin=HIDDEN)),
    ("dashboards.new_patient", "POST"): Case(
        lambda w: "/new-patient", outcomes(DONE, admin=HIDDEN), lambda w: {"code": "P-NEW", "language": "en"}
    ),
    ("dashboards.new_session", "GET"): Case(lambda w: PATIENT + "/sessions/new", TREATMENT_PAGE),
    ("dashboards.new_session", "POST"): Case(lambda w: PATIENT + "/sessions/new", TREATMENT_CHANGE, lambda w: SESSION_FORM),
    ("dashboards.edit_session", "GET"): Case(session_path, TREATMENT_PAGE),
    ("dashboards.edit_session", "POST"): Case(session_path, TREATMENT_CHANGE, lambda w: SESSION_FORM),
    ("dashboards.fresh_link", "POST"): Case(
        lambda w: session_path(w) + "/fresh-link", TREATMENT_CHANGE, lambda w: {"respondent": "patient"}
    ),
    ("dashboards.message_action", "POST"): Case(failed_sms, TREATMENT_CHANGE, lambda w: {"action": "resend"}),
    # The clinic tablet (kiosk mode, tests/kiosk): a clinician who treats opens it on their own browser; a code for
    # the patient's questionnaire is a change of the treatment; the tablet's own pages exist only on a kiosk device.
    ("dashboards.kiosk_open", "GET"): Case(lambda w: "/kiosk/open", outcomes(OK, admin=HIDDEN)),
    ("dashboards.kiosk_open", "POST"): Case(lambda w: "/kiosk/open", outcomes(DONE, admin=HIDDEN)),
    ("dashboards.kiosk_code", "POST"): Case(lambda w: session_path(w) + "/kiosk-code", outcomes(HIDDEN, own=OK, director=OK)),
    **{(endpoint, method): Case(lambda w, path=path: path, everyone(HIDDEN), lambda w: {"code": "ABC234"})
       for endpoint, method, path in (
           ("kiosk.code_screen", "GET", "/kiosk"), ("kiosk.enter_code", "POST", "/kiosk"),
           ("kiosk.form", "GET", "/kiosk/survey"), ("kiosk.form", "POST", "/kiosk/survey"),
           ("kiosk.outcome_form", "GET", "/kiosk/survey/phq-9"), ("kiosk.outcome_form", "POST", "/kiosk/survey/phq-9"),
           ("kiosk.thanks", "GET", "/kiosk/thanks"), ("kiosk.alive", "GET", "/kiosk/alive"),
           ("kiosk.language", "POST", "/kiosk/language"),
           ("kiosk.leave", "GET", "/kiosk/leave"), ("kiosk.leave", "POST", "/kiosk/leave"),
           ("kiosk.leave_second_factor", "GET", "/kiosk/leave/2fa"),
           ("kiosk.leave_second_factor", "POST", "/kiosk/leave/2fa"),
       )},
    ("dashboards.change_contact", "GET"): Case(lambda w: PATIENT + "/contact", TREATMENT_PAGE),
    ("dashboards.change_contact", "POST"): Case(
        lambda w: PATIENT + "/contact", TREATMENT_CHANGE, lambda w: {"language": "es", "channel": "link"}
    ),
    ("dashboards.end_treatment", "GET"): Case(lambda w: PATIENT + "/end", TREATMENT_PAGE),
    ("dashboards.end_treatment", "POST"): Case(
        lambda w: PATIENT + "/end", TREATMENT_CHANGE, lambda w: {"reason": "completed", "ended_on": "2026-01-10"}
    ),
    ("dashboards.add_guidance_note", "POST"): Case(
        lambda w: PATIENT + "/notes", TREATMENT_CHANGE, lambda w: {"text": "Ask how last week's homework felt."}
    ),
    # A safety alert: the patient's therapist, a colleague it is shared with (tests/safety) or a director
    # acknowledges it; an admin with break-glass may see it, not act (tests/safety/test_pages.py).
    ("safety.acknowledge_alert", "GET"): Case(safety_alert, outcomes(HIDDEN, own=OK, director=OK)),
    ("safety.acknowledge_alert", "POST"): Case(safety_alert, outcomes(HIDDEN, own=DONE, director=DONE),
                                               lambda w: {"action": "contacted"}),
    # The patient's own battery: the same two; a colleague it is shared with gets 403.
    ("dashboards.patient_battery", "GET"): Case(lambda w: PATIENT + "/battery", TREATMENT_PAGE),
    ("dashboards.patient_battery", "POST"): Case(
        lambda w: PATIENT + "/battery", TREATMENT_CHANGE, lambda w: {"source": "own", "measure_1": "phq-9",
                                                                     "every_1": "session"}
    ),
    ("admin.share_patient", "POST"): Case(lambda w: PATIENT + "/shares", SHARING, lambda w: {"user_id": str(w.other.id)}),
    ("admin.revoke_share", "POST"): Case(lambda w: f"{PATIENT}/shares/{w.other.id}/revoke", SHARING),
    # Accounts: directors manage their clinic's therapists, admins its accounts; B's director has its own list.
    ("admin.therapists", "GET"): Case(lambda w: "/clinic/therapists", outcomes(HIDDEN, director=OK, admin=OK, director_b=OK)),
    ("admin.add_therapist", "POST"): Case(
        lambda w: "/clinic/therapists",
        outcomes(HIDDEN, director=DONE, admin=DONE, director_b=DONE),
        lambda w: {"email": "new@example.org", "display_name": "New", "role": "therapist"},
    ),
    ("admin.password_link", "POST"): Case(
        lambda w: f"/clinic/therapists/{w.target.id}/password-link", MANAGE_TARGET
    ),
    ("admin.disable_user", "POST"): Case(lambda w: f"/clinic/therapists/{w.target.id}/disable", MANAGE_TARGET),
    ("admin.enable_user", "POST"): Case(lambda w: f"/clinic/therapists/{w.target.id}/enable", MANAGE_TARGET),
    ("admin.reset_two_factor", "POST"): Case(lambda w: f"/clinic/therapists/{w.target.id}/reset-2fa", MANAGE_TARGET),
    ("admin.audit_trail", "GET"): Case(lambda w: "/clinic/audit", outcomes(HIDDEN, director=OK, admin=OK, director_b=OK)),
    ("admin.audit_export", "GET"): Case(
        lambda w: "/clinic/audit.csv", outcomes(HIDDEN, director=OK, admin=OK, director_b=OK)
    ),
    # Break-glass: admins only, and only for their own clinic's patients.
    ("admin.break_glass", "GET"): Case(lambda w: "/admin/break-glass", outcomes(HIDDEN, admin=OK)),
    ("admin.open_break_glass", "POST"): Case(
        lambda w: "/admin/break-glass",
        outcomes(HIDDEN, admin=DONE),
        lambda w: {"patient_code": "P-A1", "reason": "Subject access request from the patient, ticket 4411"},
    ),
    # The director's overview, its chart data and the research export: each director sees their own clinic;
    # admins see no patient data without break-glass, therapists only their caseload.
    ("director.overview", "GET"): Case(lambda w: "/clinic", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("director.ended_chart", "GET"): Case(lambda w: "/clinic/ended.json", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("director.outcomes_chart", "GET"): Case(lambda w: "/clinic/outcomes.json",
                                             outcomes(HIDDEN, director=OK, director_b=OK)),
    ("director.export", "GET"): Case(lambda w: "/clinic/export.csv", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("safety.settings", "GET"): Case(lambda w: "/clinic/safety", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("safety.settings", "POST"): Case(lambda w: "/clinic/safety", outcomes(HIDDEN, director=DONE, director_b=DONE),
                                      lambda w: {"escalate_hours": "6", "on_call_emails": "duty@example.org"}),
    ("director.calibration", "GET"): Case(lambda w: "/clinic/calibration", outcomes(HIDDEN, director=OK, director_b=OK)),
    # The clinic's default language: each director sets their own clinic's.
    ("director.clinic_language", "GET"): Case(lambda w: "/clinic/language", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("director.clinic_language", "POST"): Case(lambda w: "/clinic/language", outcomes(HIDDEN, director=DONE, director_b=DONE),
                                               lambda w: {"language": "es"}),
    # The clinic's battery: each director sets their own clinic's.
    ("director.clinic_battery", "GET"): Case(lambda w: "/clinic/battery", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("director.clinic_battery", "POST"): Case(
        lambda w: "/clinic/battery", outcomes(HIDDEN, director=DONE, director_b=DONE),
        lambda w: {"measure_1": "phq-9", "every_1": "intake_and_weeks", "weeks_1": "4"},
    ),
    # Too little history to adopt, nothing adopted to revert: the director is sent back with a message.
    ("director.adopt_norms", "POST"): Case(lambda w: "/clinic/calibration/norms",
                                           outcomes(HIDDEN, director=DONE, director_b=DONE)),
    ("director.revert_norms", "POST"): Case(lambda w: "/clinic/calibration/norms/revert",
                                            outcomes(HIDDEN, director=DONE, director_b=DONE)),
    # FHIR: the read-only API answers any signed-in clinician (401 for others, never a redirect), a patient's
    # responses only to those who see the patient; the clinic's bundle and its import are the directors'.
    ("fhir.metadata", "GET"): Case(lambda w: "/fhir/metadata", outcomes(OK)),
    ("fhir.questionnaire_search", "GET"): Case(lambda w: "/fhir/Questionnaire", outcomes(OK)),
    ("fhir.questionnaire_read", "GET"): Case(lambda w: "/fhir/Questionnaire/post-session-patient-1", outcomes(OK)),
    ("fhir.response_search", "GET"): Case(lambda w: "/fhir/QuestionnaireResponse?subject=P-A1", PATIENT_DATA),
    ("fhir_pages.export", "GET"): Case(lambda w: "/clinic/fhir-export", outcomes(HIDDEN, director=OK, director_b=OK)),
    ("fhir_pages.import_page", "GET"): Case(lambda w: "/clinic/fhir-import",
                                            outcomes(HIDDEN, director=OK, director_b=OK)),
    ("fhir_pages.import_page", "POST"): Case(
        lambda w: "/clinic/fhir-import",
        outcomes(HIDDEN, director=OK, director_b=OK),
        lambda w: {"bundle": (io.BytesIO(b'{"resourceType": "Bundle", "type": "collection"}'), "empty.json")},
    ),
}

#: Routes outside the clinician side, each with the test that covers it.
EXEMPT = {
    "static": "public assets",
    "survey.static": "public assets of the questionnaire",
    "survey.form": "the questionnaire, opened by its token: tests/survey, test_survey_tokens.py",
    "survey.submit": "the questionnaire, opened by its token: tests/survey, test_survey_tokens.py",
    "survey.thanks": "static thank-you page: tests/survey",
    "survey.outcome_form": "an outcome measure of the battery, opened by the survey token: tests/battery",
    "survey.outcome_submit": "an outcome measure of the battery, opened by the survey token: tests/battery",
    "survey.battery_thanks": "the end of a battery, opened by the survey token: tests/battery",
    "survey_language.change": "the patient's language, changed with the survey token: tests/survey/test_language.py",
    "sms.inbound": "Twilio webhook: authenticated by X-Twilio-Signature, not a session (tests/delivery)",
    "sms.status": "Twilio webhook: authenticated by X-Twilio-Signature, not a session (tests/delivery)",
    "unsubscribe.confirm": "a patient's one-click unsubscribe page, opened by its signed token: tests/delivery/email",
    "unsubscribe.unsubscribe": "RFC 8058 one-click unsubscribe, authorised by its signed token: tests/delivery/email",
    "unsubscribe.resume": "undoing that unsubscribe, authorised by the same signed token: tests/delivery/email",
    "bounces.bounce": "the mail provider's bounce webhook, authorised by EMAIL_BOUNCE_SECRET: tests/delivery/email",
    "health.healthz": "load-balancer liveness probe: a constant, no data (tests/test_health_and_backup.py)",
    "health.readyz": "load-balancer readiness probe: database up or not, no data (tests/test_health_and_backup.py)",
    "dashboards_assets.static": "versioned public assets (plotly.js, dashboard CSS/JS): tests/dashboards",
    "favicon.static": "the site icon, the same for everyone: tests/dashboards/test_favicon.py",
}

#: Text that must never reach an actor: another clinic's, or a patient they do not treat.
NEVER_SHOWN = {
    "own": ("P-B1", "therapist-b@"),
    "other": ("P-A1", "P-B1"),
    "director": ("P-B1", "therapist-b@"),
    "director_b": ("P-A1", "own@example.org", "target@example.org"),
    "admin": ("P-A1", "P-B1", "therapist-b@"),
    "anonymous": ("P-A1", "P-B1", "@example.org"),
    "survey": ("P-A1", "P-B1", "@example.org"),
}
