"""risk events: the subject as a column, and whether the event was news when first seen

Revision ID: 3c1d2e4f5a6b
Revises: 97fecd176b0c
Create Date: 2026-12-03 07:40:00.000000

`subject` (the scale or disengagement signal) was parsed back out of `key`; it is now data.
`news` records the flag store's one decision of what is new (dashboards.flags.new_events), so
the digest and the "new since your last visit" marks no longer re-derive it. Existing rows get
the subject from their key and `news` from the rule new_events applies (current, not positive).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d2e4f5a6b'
down_revision = '97fecd176b0c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('news', sa.Boolean(), nullable=False, server_default=sa.false()))
    events = sa.table(
        'risk_events',
        sa.column('id', sa.Integer), sa.column('key', sa.String), sa.column('session_number', sa.Integer),
        sa.column('current', sa.Boolean), sa.column('severity', sa.String),
        sa.column('subject', sa.String), sa.column('news', sa.Boolean),
    )
    conn = op.get_bind()
    conn.execute(events.update().where(events.c.current.is_(True), events.c.severity != 'positive').values(news=True))
    # The key is "code[:subject][:session]" (dashboards.flags.event_key).
    rows = conn.execute(sa.select(events.c.id, events.c.key, events.c.session_number)).all()
    for row in rows:
        parts = row.key.split(':')[1:]
        if row.session_number is not None and parts and parts[-1] == str(row.session_number):
            parts.pop()
        if parts:
            conn.execute(events.update().where(events.c.id == row.id).values(subject=parts[0]))


def downgrade():
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.drop_column('news')
        batch_op.drop_column('subject')
