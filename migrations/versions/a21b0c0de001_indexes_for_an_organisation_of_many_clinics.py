"""indexes for an organisation of many clinics: the worker queues

Revision ID: a21b0c0de001
Revises: f21a5e000001
Create Date: 2026-12-03 12:20:00

The flag refresh picks the stalest evaluations first (ORDER BY evaluated_at LIMIT … SKIP LOCKED):
without an index every batch read and sorted the risk rows of every clinic. The delivery claim
also takes claimed rows whose claim expired: (status, claim_expires_at) serves that branch as
(status, due_at) serves the due one (issue 21, bench/organisation.py, bench/plans.py).
"""
from alembic import op


revision = "a21b0c0de001"
down_revision = "f21a5e000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("patient_risks", schema=None) as batch_op:
        batch_op.create_index("ix_patient_risks_evaluated_at", ["evaluated_at", "patient_id"], unique=False)
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_status_claim_expires_at", ["status", "claim_expires_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_status_claim_expires_at")
    with op.batch_alter_table("patient_risks", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_risks_evaluated_at")
