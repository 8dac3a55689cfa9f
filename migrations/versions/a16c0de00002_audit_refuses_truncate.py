"""audit trail: PostgreSQL refuses TRUNCATE and DELETE on audit_events

Revision ID: a16c0de00002
Revises: a16c0de00001
Create Date: 2026-12-03 09:10:01

Migration 0ff385ed10f1 keeps the trail append-only with a row-level trigger for UPDATE and
DELETE. Row-level triggers do not fire for TRUNCATE, so `TRUNCATE audit_events` (or
`TRUNCATE patients CASCADE`, which reaches the trail through its foreign keys) still emptied it
in one statement. A statement-level BEFORE TRUNCATE trigger calling the same function refuses
that too; DELETE stays refused by the row trigger. SQLite has no TRUNCATE (a DELETE without
WHERE runs the row triggers, which refuse it), so nothing changes there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a16c0de00002'
down_revision = 'a16c0de00001'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
