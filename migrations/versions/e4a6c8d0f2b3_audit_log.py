"""audit log

Revision ID: e4a6c8d0f2b3
Revises: d3f5b7c9e1a2
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e4a6c8d0f2b3'
down_revision = 'd3f5b7c9e1a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('actor_role', sa.String(length=40), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=60), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('salt', sa.String(length=32), nullable=False, server_default=''),
    sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_entries_prev_hash')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_entries_hash')),
    )
    op.create_index(op.f('ix_audit_entries_action'), 'audit_entries', ['action'], unique=False)
    op.create_index(op.f('ix_audit_entries_round_id'), 'audit_entries', ['round_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_audit_entries_round_id'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_action'), table_name='audit_entries')
    op.drop_table('audit_entries')
