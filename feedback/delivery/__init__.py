"""SMS delivery: planning, the outbox, exactly-once dispatch, webhooks and the worker.

Pure building blocks, free of Flask and SQLAlchemy: `senders` (console and Twilio), `messages`
(the texts), `schedule` (quiet hours, caps, backoff), `rules` (may this patient get SMS, should
this row go now), `inbound` (keywords, TwiML, signatures), `ratelimit`.

On the database: `planner` (puts messages into the outbox), `claims` (atomic claiming),
`dispatcher` (sends), `resolver` (settles uncertain rows), `optout`, `receipts` (status
callbacks), `replays` (each webhook acts once), `staff` (what clinicians see and do). Wiring:
`settings`, `setup`, `webhooks`, `worker` and `cli`. See docs/delivery.md.
"""
