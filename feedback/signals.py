"""Events the patient side announces; the clinician side subscribes (it may import us, not
the reverse), e.g. to recompute one patient's flags when a session changes. (An answer is not
announced: it marks its treatment in its own transaction, `feedback/changes.py`.)"""

from blinker import Namespace

_signals = Namespace()

#: sender: the TherapySession created or changed (committed).
session_changed = _signals.signal("session-changed")
#: sender: the survey link (feedback/survey_link.py) whose form is about to be shown or checked.
#: Each receiver returns the ids of optional items to leave out of it (e.g. a follow-up that does
#: not apply), or an empty set.
form_hidden_items = _signals.signal("form-hidden-items")
#: sender: the keyword a patient texted ("stop", "start" or "help"), sent once per message acted on
#: (a replay is not announced again); `patient_ids`: the patients registered with the sending number
#: (empty when none is). Never the number itself. Receivers add to the webhook's transaction, which
#: commits with the keyword's effect: the audit trail records it this way.
sms_keyword = _signals.signal("sms-keyword")
#: sender: why e-mail to a patient stopped ("unsubscribe": their one-click link; "bounce": a hard bounce),
#: sent once when it stops; `patient_id`: whose. Never the address. Receivers add to the transaction that
#: stops it (the audit trail's row), like `sms_keyword`.
email_stopped = _signals.signal("email-stopped")
#: sender: "resubscribe" (the patient's unsubscribe page), sent once when e-mail to a patient who had
#: unsubscribed resumes; `patient_id`: whose. Receivers add to that transaction, like `email_stopped`.
email_resumed = _signals.signal("email-resumed")
#: sender: the Patient who chose another language on the survey page (not yet committed); `previous`:
#: the language before. Receivers add to that transaction (the audit trail's row).
patient_language_chosen = _signals.signal("patient-language-chosen")
#: sender: a SafetyAlert just added (flushed, not committed) in the transaction that stores the
#: answer that raised it; `patient`: whose it is. Receivers add to that transaction (the audit
#: trail's row); the e-mails go from the worker, which finds the alert once it is committed.
safety_alert_raised = _signals.signal("safety-alert-raised")


def hidden_items(invitation: object) -> frozenset[str]:
    """The items the receivers of `form_hidden_items` leave out of this invitation's form."""
    return frozenset().union(*(found or () for _, found in form_hidden_items.send(invitation)))
