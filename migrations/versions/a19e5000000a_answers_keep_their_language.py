"""answers keep the language they were given in

Revision ID: a19e5000000a
Revises: a21b0c0de001
Create Date: 2026-12-03 12:25:00

Every answer before this revision was given in English, the only language the forms had.
"""
from alembic import op
import sqlalchemy as sa


revision = "a19e5000000a"
down_revision = "a21b0c0de001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), server_default="en", nullable=False))
    with op.batch_alter_table("outcome_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), server_default="en", nullable=False))


def downgrade():
    with op.batch_alter_table("outcome_responses", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("language")
