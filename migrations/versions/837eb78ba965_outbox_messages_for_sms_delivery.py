"""outbox messages for SMS delivery

One row per SMS the app means to send; no message text or phone number is stored.

Revision ID: 837eb78ba965
Revises: 0ff385ed10f1
Create Date: 2026-11-27 02:49:21.059396

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '837eb78ba965'
down_revision = '0ff385ed10f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claim_expires_at', sa.DateTime(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_outbox_messages_invitation_id_invitations')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_outbox_messages_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('invitation_id', 'kind', 'round', name=op.f('uq_outbox_messages_invitation_id_kind_round'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_status_due_at', ['status', 'due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_due_at')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_provider_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_patient_id'))

    op.drop_table('outbox_messages')
