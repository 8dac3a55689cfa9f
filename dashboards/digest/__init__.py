"""The daily e-mail digest: new high-risk flags reach the therapist before the next session.

`flask --app app digest [--dry-run]`, run once a day by cron (docs/digest.md). For each clinician
with new high-risk events among the patients they treat or that are shared with them (and that the
access policy lets them see), one plain-text e-mail with only patient codes, the names of the
events and a link to the dashboard: no answers, no reasons, no numbers, no free text.

An event is in a digest when the flag store judged it news when it first appeared
(`RiskEvent.news`, the one definition of "new"), it is `high` and still current, no digest has
mentioned it yet (`notified_at IS NULL`) and it was first seen within `DIGEST_LOOKBACK_DAYS`,
so a clinic that turns the digest on is not sent its backlog. Exactly once: the events are
claimed with one guarded UPDATE (`... WHERE notified_at IS NULL`) before anything is sent, so
two runs or processes never both send an event; an event no message could carry is released for
the next run. A run that dies between claiming and sending
loses those e-mails (the events still show as new on the home page) rather than ever sending twice.

Settings (app.config, from the environment; defaults in brackets):

- DIGEST_ENABLED [off]: the digest for every clinic; or DIGEST_CLINICS: clinic names, comma-separated.
- DIGEST_LOOKBACK_DAYS [7]: older events are not news.
- the SMTP_* settings of the app's mailer (`feedback/mail.py`).

The modules: `message.py` (one e-mail as plain data, and its text), `recipients.py` (who gets
which events), `claims.py` (exactly once), `run.py` (one run), `cli.py` (the command).
"""
