"""patients e-mail address and consent

Revision ID: e19a11000001
Revises: c19a0b000001
Create Date: 2026-12-03 11:46:01.038891

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e19a11000001'
down_revision = 'c19a0b000001'
branch_labels = None
depends_on = None


def upgrade():
    
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_encrypted', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('email_consent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('email_consent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_opted_out_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_bounced_at', sa.DateTime(), nullable=True))

    


def downgrade():
    
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_column('email_bounced_at')
        batch_op.drop_column('email_opted_out_at')
        batch_op.drop_column('email_consent_at')
        batch_op.drop_column('email_consent')
        batch_op.drop_column('email_encrypted')

    
