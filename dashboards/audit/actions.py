"""What each audit action is called on the trail's page, in the reader's language.

The stored row and the CSV export keep the code (stable, for the tools that read the export); the
page says what happened. An action without a name here (one an older version recorded) shows its
code. tests/director/test_audit_names.py checks that every action the code records has a name.
"""

from __future__ import annotations

from feedback.i18n import translated
from feedback.translatable import N_

NAMES = {
    # Signing in and accounts
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in failed"),
    "sign_out": N_("Signed out"),
    "account_locked": N_("Account locked after failed sign-ins"),
    "2fa_enrolled": N_("Set up two-step sign-in"),
    "reset_2fa": N_("Reset an account's two-step sign-in"),
    "recovery_code_used": N_("Signed in with a recovery code"),
    "recovery_codes_renewed": N_("Renewed the recovery codes"),
    "end_other_sessions": N_("Signed out on other devices"),
    "password_changed": N_("Changed own password"),
    "password_reset": N_("Set another account's password"),
    "password_link_issued": N_("Made a password link"),
    "password_link_sent": N_("Sent a password link"),
    "language_changed": N_("Changed an account's language"),
    "add_user": N_("Added an account"),
    "add_user_refused": N_("Refused to add an account (it belongs to another clinic)"),
    "disable_user": N_("Disabled an account"),
    "enable_user": N_("Enabled an account"),
    "view_accounts": N_("Viewed the accounts"),
    # Patients and their data
    "view_caseload": N_("Viewed a caseload"),
    "view_patient": N_("Viewed a patient"),
    "view_patient_data": N_("Viewed a patient's data"),
    "review_with_patient": N_("Opened the review with the patient"),
    "deny_patient": N_("Refused: a patient this account may not see"),
    "break_glass": N_("Break-glass access to a patient"),
    "share_patient": N_("Shared a patient"),
    "unshare_patient": N_("Stopped sharing a patient"),
    "add_patient": N_("Added a patient"),
    "change_contact": N_("Changed a patient's contact details"),
    "patient_language": N_("The patient chose their language"),
    "add_session": N_("Added a session"),
    "change_session": N_("Changed a session"),
    "add_guidance_note": N_("Added a guidance note"),
    "end_treatment": N_("Ended a treatment"),
    "fresh_link": N_("Made a fresh survey link"),
    "set_patient_battery": N_("Set a patient's outcome measures"),
    "export_patient": N_("Exported a patient's data"),
    # Messages to patients
    "sms_stop": N_("The patient texted STOP"),
    "sms_start": N_("The patient texted START"),
    "sms_help": N_("The patient texted HELP"),
    "sms_resend": N_("Sent an SMS again"),
    "sms_confirm": N_("Confirmed that an SMS arrived"),
    "email_unsubscribe": N_("The patient unsubscribed from e-mail"),
    "email_bounce": N_("The patient's e-mail address bounced"),
    "email_resubscribe": N_("The patient asked for e-mail again"),
    # Safety
    "safety_alert_raised": N_("Safety alert raised"),
    "safety_alert_notified": N_("Safety alert e-mailed"),
    "safety_alert_escalated": N_("Safety alert escalated to the directors"),
    "safety_alert_acknowledged": N_("Safety alert acknowledged"),
    "view_safety_settings": N_("Viewed the safety settings"),
    "change_safety_settings": N_("Changed the safety settings"),
    # The clinic
    "view_clinic_overview": N_("Viewed the clinic overview"),
    "view_clinic_outcomes": N_("Viewed the clinic's outcomes"),
    "view_own_outcomes": N_("Viewed own outcomes"),
    "view_ended_treatments": N_("Viewed the ended treatments"),
    "view_calibration": N_("Viewed the norms' calibration"),
    "adopt_clinic_norms": N_("Adopted the clinic's own norms"),
    "revert_clinic_norms": N_("Went back to the published norms"),
    "view_clinic_language": N_("Viewed the clinic's language"),
    "set_clinic_language": N_("Set the clinic's language"),
    "set_clinic_battery": N_("Set the clinic's outcome measures"),
    "kiosk_opened": N_("Opened the clinic tablet"),
    "kiosk_closed": N_("Closed the clinic tablet"),
    "kiosk_code_issued": N_("Gave a tablet code"),
    "kiosk_code_used": N_("A tablet code was used"),
    "kiosk_codes_paused": N_("Tablet codes paused after wrong guesses"),
    # Exports, imports, the trail itself, the command line
    "export_clinic_responses": N_("Exported the clinic's answers (CSV)"),
    "export_clinic_fhir": N_("Exported the clinic (FHIR)"),
    "search_responses_fhir": N_("Searched the answers (FHIR API)"),
    "import_fhir": N_("Imported a FHIR bundle"),
    "view_audit_trail": N_("Viewed the audit trail"),
    "export_audit_trail": N_("Downloaded the audit trail"),
    "cli_command": N_("A command run on the server"),
}


def action_name(code: str) -> str:
    """The action's name in the page's language; the code itself when it has none."""
    name = NAMES.get(code)
    return translated(name) if name else code
