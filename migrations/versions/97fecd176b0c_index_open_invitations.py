"""performance: partial index on open invitations

Revision ID: 97fecd176b0c
Revises: cda05c663871
Create Date: 2026-11-27 04:20:00.000000

Open invitations (not completed) are a few hundred rows among a clinic's whole history (118,000
invitations in the benchmark clinic), and three hot queries look only at them: the therapist's
pending forms on the home page, the worker's plan_missing (every minute) and plan_reminders.
Without this index each is a full scan of `invitations` (bench/RESULTS.md: pending forms 11.7 ms
-> 0.4 ms, plan_missing 18.2 ms -> 1.4 ms on PostgreSQL, 17.1 ms -> 0.7 ms on SQLite).
The model declares the same index (feedback/models/invitation.py).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '97fecd176b0c'
down_revision = 'cda05c663871'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_invitations_open',
            ['expires_at'],
            unique=False,
            postgresql_where=sa.text('completed_at IS NULL'),
            sqlite_where=sa.text('completed_at IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_open')
