"""patient risks keep their main reason as a phrase, read in each clinician's language

Revision ID: c19a5e000002
Revises: 21d0e5000001
Create Date: 2026-12-03 12:59:32

Rows stored before this revision keep their English main reason; the next evaluation (any answer,
the hourly refresh, or recompute-flags) stores the phrase.
"""
import sqlalchemy as sa
from alembic import op

revision = "c19a5e000002"
down_revision = "21d0e5000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("patient_risks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("main_reason_message", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("patient_risks", schema=None) as batch_op:
        batch_op.drop_column("main_reason_message")
