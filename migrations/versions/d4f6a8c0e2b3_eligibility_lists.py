"""eligibility lists: a round's reference numbers, hashed, each usable once

Revision ID: d4f6a8c0e2b3
Revises: c3e5a7b9d1f2
Create Date: 2026-12-01 23:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4f6a8c0e2b3'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('eligibility_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('reference_hash', sa.String(length=64), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_eligibility_entries_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_entries')),
    sa.UniqueConstraint('round_id', 'reference_hash', name='uq_eligibility_one_reference_each'),
    )
    op.create_index(op.f('ix_eligibility_entries_round_id'), 'eligibility_entries', ['round_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_eligibility_entries_round_id'), table_name='eligibility_entries')
    op.drop_table('eligibility_entries')
