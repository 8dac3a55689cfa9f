"""SMS delivery building blocks: senders, message texts, scheduling rules and webhook logic.

Plain functions over plain data, free of Flask and SQLAlchemy, so the outbox, the dispatcher
and the webhook routes can call them and tests can run them without an app.
"""
