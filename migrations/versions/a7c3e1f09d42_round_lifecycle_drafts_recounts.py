"""round lifecycle: drafts, the one voting extension, recounts, withdrawn proposals

Revision ID: a7c3e1f09d42
Revises: 5e1a9d2c7b30
Create Date: 2026-12-01 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e1f09d42'
down_revision = '5e1a9d2c7b30'
branch_labels = None
depends_on = None

OLD_STATUSES = "'draft', 'submitted', 'feasible', 'unfeasible', 'accepted', 'rejected', 'merged'"


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        # rounds created before drafts existed were published when created
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False,
                                      server_default='published'))
        batch_op.create_check_constraint('status_known', "status IN ('draft', 'published')")
    with op.batch_alter_table('phase_date_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False,
                                      server_default='move'))
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint('status_known', type_='check')
        batch_op.create_check_constraint('status_known', f"status IN ({OLD_STATUSES}, 'withdrawn')")
    op.create_table('recounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['counted_by_id'], ['people.id'], name=op.f('fk_recounts_counted_by_id_people')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_recounts_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recounts'))
    )


def downgrade():
    op.drop_table('recounts')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint('status_known', type_='check')
        batch_op.create_check_constraint('status_known', f"status IN ({OLD_STATUSES})")
    with op.batch_alter_table('phase_date_changes', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint('status_known', type_='check')
        batch_op.drop_column('status')
