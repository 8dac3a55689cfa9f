"""Events the patient side announces; the clinician side subscribes (it may import us, not
the reverse), e.g. to recompute one patient's flags when a response arrives."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Response just stored (committed).
response_recorded = _signals.signal("response-recorded")
#: sender: the TherapySession created or changed (committed).
session_changed = _signals.signal("session-changed")
