"""Setting the session battery: the clinic's (directors, /clinic/battery) and one patient's (the
treating therapist or a director, /patients/<code>/battery). The rules themselves, and the flow
that asks the measures, are on the patient side (`feedback/battery/`)."""
