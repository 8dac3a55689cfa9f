"""risk events keep their reason as a phrase, read in each clinician's language

Revision ID: b19a5e000001
Revises: a19e5000000a
Create Date: 2026-12-03 12:40:00

Events stored before this revision keep their English reason; the next evaluation (any answer, the
hourly refresh, or recompute-flags) stores the phrase.
"""
import sqlalchemy as sa
from alembic import op

revision = "b19a5e000001"
down_revision = "a19e5000000a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("risk_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_message", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("risk_events", schema=None) as batch_op:
        batch_op.drop_column("reason_message")
