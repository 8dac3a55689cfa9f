"""processed webhooks: one row per Twilio MessageSid and status, so a replay changes nothing

Revision ID: a16c0de00001
Revises: be935af1626e
Create Date: 2026-12-03 09:10:00

A webhook can arrive twice (Twilio retrying, or a captured request replayed with its valid
signature); the unique key lets each STOP, START, HELP and status callback act once, and makes
two copies arriving at once detectable. Holds Twilio's message id only: no number, no text.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16c0de00001'
down_revision = 'be935af1626e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('processed_webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_sid', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_webhooks')),
    sa.UniqueConstraint('message_sid', 'event', name=op.f('uq_processed_webhooks_message_sid_event'))
    )


def downgrade():
    op.drop_table('processed_webhooks')
