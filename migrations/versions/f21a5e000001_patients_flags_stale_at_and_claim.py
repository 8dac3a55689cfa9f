"""patients: flags_stale_at (an answer the stored flags do not reflect yet) and the worker's claim

Revision ID: f21a5e000001
Revises: d19c0a000001
Create Date: 2026-12-03 11:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f21a5e000001'
down_revision = 'd19c0a000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flags_stale_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('flags_claimed_until', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_patients_flags_stale_at', ['flags_stale_at'], unique=False,
                              postgresql_where=sa.text('flags_stale_at IS NOT NULL'),
                              sqlite_where=sa.text('flags_stale_at IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index('ix_patients_flags_stale_at', postgresql_where=sa.text('flags_stale_at IS NOT NULL'),
                            sqlite_where=sa.text('flags_stale_at IS NOT NULL'))
        batch_op.drop_column('flags_claimed_until')
        batch_op.drop_column('flags_stale_at')
